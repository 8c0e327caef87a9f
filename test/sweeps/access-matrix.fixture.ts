/**
 * The world both access-matrix tests look at: one user per role in "organisation A", and for every
 * kind of record a route can name, one in the actor's scope, one out of it and (for cases) a sensitive
 * one in scope but assigned to somebody else. Built once, then saved with SQLite's backup API so a
 * request that changed something can be undone in about a millisecond (restore()).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { insertNotifications } from '../../src/alerts/repository.js';
import { createApiKey } from '../../src/api/keys.js';
import { listNonWorkingDays } from '../../src/calendar/repository.js';
import { addNote } from '../../src/casework/notes/repository.js';
import { followUps, plans, referrals, services } from '../../src/casework/schema.js';
import { findCase } from '../../src/cases/repository.js';
import type { CaseCommand } from '../../src/cases/service.js';
import { writeTransaction } from '../../src/db/client.js';
import { createFlag } from '../../src/flags/service.js';
import { insertCall } from '../../src/hotline/repository.js';
import { createOrganisation } from '../../src/orgs/repository.js';
import type { OrgKind } from '../../src/orgs/schema.js';
import { ROLES, type Role } from '../../src/permissions/roles.js';
import { activeAssignments } from '../../src/users/repository.js';
import { anonymous, createTestApp, login, seedOrgs, seedUser, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';
import { actorOf, advanceCase, openHotlineCase } from '../helpers/cases.js';
import { TINY_PDF } from '../helpers/documents.js';

/** The table's columns: nobody signed in, each role, and a telephony system holding an API key. */
export const COLUMNS = ['anonymous', ...ROLES, 'api_key'] as const;
export type Column = (typeof COLUMNS)[number];

export const SITUATIONS = ['in_scope', 'out_of_scope', 'sensitive'] as const;
export type Situation = (typeof SITUATIONS)[number];

/** A case and one of each record hanging off it, so every nested path parameter can be filled. */
export interface CaseRecords {
  caseId: number;
  reference: string;
  childName: string;
  /** A word only this case's (searchable) note contains. */
  noteMarker: string;
  planVersion: number;
  referralId: number;
  serviceId: number;
  followUpId: number;
  documentId: number;
}

export interface ExtraOrgs extends TestOrgs {
  /** A second social work centre in the same province: cases referred there are out of the first one's scope. */
  socialWorkCentreB: number;
  /** Another province, out of reach of everyone in organisation A, administrators included. */
  provinceB: number;
  communeC: number;
  hotlineB: number;
}

export interface World {
  t: TestApp;
  orgs: ExtraOrgs;
  userIds: Record<Role, number>;
  /** Each role user's (only) role assignment. */
  assignmentIds: Record<Role, number>;
  /** Signed-in browsers per role; anonymous and api_key hold only the signed-out CSRF cookie. */
  browsers: Record<Column, Browser>;
  apiKey: string;
  cases: Record<Situation, CaseRecords>;
  /** Records of the administrative and school kinds; these have no sensitive variant. */
  records: {
    organisation: Record<'in_scope' | 'out_of_scope', number>;
    user: Record<'in_scope' | 'out_of_scope', { id: number; assignmentId: number }>;
    apiKey: Record<'in_scope' | 'out_of_scope', number>;
    flag: Record<'in_scope' | 'out_of_scope', number>;
    call: Record<'in_scope' | 'out_of_scope', number>;
    /** Each role's own notification, and one of somebody else's. */
    notification: { own: Record<Role, number>; others: number };
  };
  flagPupils: Record<'in_scope' | 'out_of_scope', string>;
  nonWorkingDay: string;
  /** Puts the database back as it was when the world was built (sessions included). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Where each role works ("organisation A"): school staff at school A, commune roles in commune A, and so on. */
const ROLE_ORGS: Record<Role, keyof TestOrgs> = {
  teacher: 'schoolA',
  school_lead: 'schoolA',
  hotline_operator: 'hotline',
  commune_worker: 'communeA',
  commune_chair: 'communeA',
  social_worker: 'socialWorkCentre',
  // A commune-level supervisor, so that commune B is out of their scope as it is for the workers.
  supervisor: 'communeA',
  // An education office at province level sees the most statistics, so leaks would show most.
  board_viewer: 'province',
  admin: 'province',
};

const TO_IMPLEMENTATION: CaseCommand[] = [
  { type: 'TAKE' },
  { type: 'DECIDE_SUPPORT' },
  { type: 'RECORD_NEEDS_MEETING' },
  { type: 'COMPLETE_ASSESSMENT' },
  { type: 'SUBMIT_PLAN' },
  { type: 'APPROVE_PLAN' },
];

/** The upload form as a browser sends it: the token first, then the file. */
export function pdfUpload(csrf: string): { payload: Buffer; contentType: string } {
  const boundary = '----bvte-matrix-boundary-5f2c';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bien-ban.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    TINY_PDF,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

function addOrgs(t: TestApp): ExtraOrgs {
  const orgs = seedOrgs(t.db);
  const add = (name: string, kind: OrgKind, parentId: number | null): number => createOrganisation(t.db, SYSTEM_AUDIT_CONTEXT, { name, kind, parentId });
  const provinceB = add('Tỉnh Bên Cạnh', 'province', null);
  return {
    ...orgs,
    socialWorkCentreB: add('Trung tâm Công tác xã hội khu vực Hai', 'social_work_centre', orgs.province),
    provinceB,
    communeC: add('Xã Tân Lập', 'commune', provinceB),
    hotlineB: add('Tổng đài vùng Hai', 'hotline', provinceB),
  };
}

interface CaseSpec {
  communeId: number;
  /** Opened in another commune first, whose worker sent it on: its notifications and history stay behind there. */
  transferredFrom?: { communeId: number; worker: number };
  childName: string;
  categories: string[];
  noteMarker: string;
  people: { worker: number; chair: number };
  centreId: number;
}

/** A case in implementation with an approved plan, an accepted referral, a service, a visit, a note and a document. */
async function buildCase(t: TestApp, orgs: TestOrgs, spec: CaseSpec, workerBrowser: Browser): Promise<CaseRecords> {
  const caseId = openHotlineCase(t, orgs, { name: spec.childName, birthDate: '2014-09-02', sex: 'female' }, 'Người gọi báo trẻ bị đánh nhiều lần, có vết bầm ở tay.', {
    communeId: spec.transferredFrom?.communeId ?? spec.communeId,
    categories: spec.categories,
  });
  if (spec.transferredFrom) {
    advanceCase(t, { worker: spec.transferredFrom.worker, chair: spec.people.chair }, caseId, [{ type: 'TRANSFER', toOrgId: spec.communeId }]);
  }
  // A sensitive intake is hidden from the commune's workers until somebody is made responsible for it.
  if (findCase(t.db, caseId)!.sensitive) t.db.$client.prepare('UPDATE cases SET assigned_user_id = ? WHERE id = ?').run(spec.people.worker, caseId);
  advanceCase(t, spec.people, caseId, TO_IMPLEMENTATION);
  const worker = actorOf(t, spec.people.worker);
  const ids = writeTransaction(t.db, (tx) => {
    tx.insert(plans)
      .values({ caseId, version: 1, goals: 'Bảo đảm an toàn cho trẻ tại nhà.', status: 'approved', createdBy: worker.userId, decidedBy: spec.people.chair })
      .run();
    const referralId = tx
      .insert(referrals)
      .values({ caseId, toOrgId: spec.centreId, reason: 'Cần tư vấn tâm lý.', consent: 'guardian', status: 'accepted', createdBy: worker.userId })
      .returning({ id: referrals.id })
      .get().id;
    const serviceId = tx
      .insert(services)
      .values({ caseId, referralId, providerOrgId: spec.centreId, kind: 'counselling', description: 'Tư vấn tâm lý', dueOn: '2099-01-15', createdBy: worker.userId })
      .returning({ id: services.id })
      .get().id;
    const followUpId = tx
      .insert(followUps)
      .values({ caseId, dueOn: '2099-02-01', assignedUserId: worker.userId, createdBy: worker.userId })
      .returning({ id: followUps.id })
      .get().id;
    addNote(tx, { actor: worker, audit: SYSTEM_AUDIT_CONTEXT }, caseId, { text: `Đã gặp gia đình ${spec.noteMarker}.`, confidential: false });
    addNote(tx, { actor: worker, audit: SYSTEM_AUDIT_CONTEXT }, caseId, { text: 'Ghi chú mật về người bị tố cáo.', confidential: true });
    return { referralId, serviceId, followUpId };
  });
  const { payload, contentType } = pdfUpload(workerBrowser.csrf);
  const uploaded = await t.app.inject({
    method: 'POST',
    url: `/cases/${caseId}/documents`,
    headers: { cookie: workerBrowser.cookie, 'content-type': contentType },
    payload,
  });
  if (uploaded.statusCode !== 303) throw new Error(`fixture upload failed: ${uploaded.statusCode}`);
  const documentId = (t.db.$client.prepare('SELECT max(id) AS id FROM documents WHERE case_id = ?').get(caseId) as { id: number }).id;
  return { caseId, reference: findCase(t.db, caseId)!.reference, childName: spec.childName, noteMarker: spec.noteMarker, planVersion: 1, ...ids, documentId };
}

export async function buildWorld(): Promise<World> {
  const t = await createTestApp();
  const orgs = addOrgs(t);
  const userIds = {} as Record<Role, number>;
  for (const role of ROLES) userIds[role] = await seedUser(t.db, `mx.${role}`, [{ role, orgId: orgs[ROLE_ORGS[role]] }]);
  const colleague = await seedUser(t.db, 'mx.colleague', [{ role: 'commune_worker', orgId: orgs.communeA }]);
  const workerB = await seedUser(t.db, 'mx.worker-b', [{ role: 'commune_worker', orgId: orgs.communeB }]);
  const chairB = await seedUser(t.db, 'mx.chair-b', [{ role: 'commune_chair', orgId: orgs.communeB }]);
  const teacherB = await seedUser(t.db, 'mx.teacher-b', [{ role: 'teacher', orgId: orgs.schoolB }]);
  const outsider = await seedUser(t.db, 'mx.outsider', [{ role: 'commune_worker', orgId: orgs.communeC }]);

  const chair = userIds.commune_chair;
  const cases: Record<Situation, CaseRecords> = {
    in_scope: await buildCase(
      t,
      orgs,
      { communeId: orgs.communeA, childName: 'Hoàng Minh Khang', categories: ['abuse_violence_physical'], noteMarker: 'maxanhtrong', people: { worker: userIds.commune_worker, chair }, centreId: orgs.socialWorkCentre },
      await login(t.app, t.db, 'mx.commune_worker'),
    ),
    out_of_scope: await buildCase(
      t,
      orgs,
      { communeId: orgs.communeB, transferredFrom: { communeId: orgs.communeA, worker: userIds.commune_worker }, childName: 'Vi Thị Ngọc Ánh', categories: ['abuse_violence_physical'], noteMarker: 'maxanhngoai', people: { worker: workerB, chair: chairB }, centreId: orgs.socialWorkCentreB },
      await login(t.app, t.db, 'mx.worker-b'),
    ),
    // Sexual abuse: sensitive. Taken (so assigned) by a colleague; the centre accepted its referral.
    sensitive: await buildCase(
      t,
      orgs,
      { communeId: orgs.communeA, childName: 'Quàng Thị Thu Trang', categories: ['abuse_sexual'], noteMarker: 'maxanhnhaycam', people: { worker: colleague, chair }, centreId: orgs.socialWorkCentre },
      await login(t.app, t.db, 'mx.colleague'),
    ),
  };

  const assignmentOf = (userId: number): number => activeAssignments(t.db, userId)[0]!.id;
  const flagPupils = { in_scope: 'Lục Văn Tài', out_of_scope: 'Đinh Thị Bích Ngọc' };
  const flag = (userId: number, schoolOrgId: number, fullName: string): number =>
    createFlag(t.db, { userId, audit: SYSTEM_AUDIT_CONTEXT }, {
      schoolOrgId,
      pupil: { fullName, birthDate: null, estimatedAge: 9, sex: 'male', className: '3A' },
      categories: ['abuse_violence_physical'],
      description: 'Em có vết bầm ở tay.',
      immediateDanger: false,
      bodyMap: [],
    });
  const call = (hotlineOrgId: number, operatorUserId: number): number =>
    insertCall(t.db, { hotlineOrgId, operatorUserId, receivedAt: new Date().toISOString(), callType: 'information', callerRelation: null });
  // One notification of each user's own (about no case, so it shows nobody a case they could not open).
  const notify = (userId: number): number => {
    insertNotifications(t.db, [{ userId, kind: 'due_soon', caseId: null, dedupeKey: `matrix:${userId}` }], new Date().toISOString());
    return lastNotificationOf(t, userId);
  };
  const ownNotifications = {} as Record<Role, number>;
  for (const role of ROLES) ownNotifications[role] = notify(userIds[role]);

  const records: World['records'] = {
    organisation: { in_scope: orgs.communeA, out_of_scope: orgs.communeC },
    user: {
      in_scope: { id: colleague, assignmentId: assignmentOf(colleague) },
      out_of_scope: { id: outsider, assignmentId: assignmentOf(outsider) },
    },
    apiKey: { in_scope: 0, out_of_scope: 0 },
    flag: { in_scope: flag(userIds.teacher, orgs.schoolA, flagPupils.in_scope), out_of_scope: flag(teacherB, orgs.schoolB, flagPupils.out_of_scope) },
    call: { in_scope: call(orgs.hotline, userIds.hotline_operator), out_of_scope: call(orgs.hotlineB, outsider) },
    notification: { own: ownNotifications, others: notify(workerB) },
  };
  const key = createApiKey(t.db, SYSTEM_AUDIT_CONTEXT, { orgId: orgs.hotline, name: 'Tổng đài thử nghiệm', createdBy: null });
  records.apiKey.in_scope = key.id;
  records.apiKey.out_of_scope = createApiKey(t.db, SYSTEM_AUDIT_CONTEXT, { orgId: orgs.hotlineB, name: 'Tổng đài vùng Hai', createdBy: null }).id;

  const signedOut = await anonymous(t.app);
  const browsers = { anonymous: signedOut, api_key: signedOut } as Record<Column, Browser>;
  for (const role of ROLES) browsers[role] = await login(t.app, t.db, `mx.${role}`);

  // The snapshot: every later request can be undone by copying it back over the live file.
  t.db.$client.pragma('wal_checkpoint(TRUNCATE)');
  const snapshotFile = path.join(t.database.dataDir, 'matrix-snapshot.db');
  await t.db.$client.backup(snapshotFile);
  const snapshot = new Database(snapshotFile, { readonly: true });

  const assignmentIds = {} as Record<Role, number>;
  for (const role of ROLES) assignmentIds[role] = assignmentOf(userIds[role]);

  return {
    t,
    orgs,
    userIds,
    assignmentIds,
    browsers,
    apiKey: key.key,
    cases,
    records,
    flagPupils,
    nonWorkingDay: listNonWorkingDays(t.db)[0]?.date ?? '2026-09-02',
    async restore() {
      await snapshot.backup(t.database.file);
    },
    async close() {
      snapshot.close();
      fs.rmSync(snapshotFile, { force: true });
      await t.close();
    },
  };
}

function lastNotificationOf(t: TestApp, userId: number): number {
  return (t.db.$client.prepare('SELECT max(id) AS id FROM notifications WHERE user_id = ?').get(userId) as { id: number }).id;
}
