import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notifyAssigned, notifyReferral } from '../../src/alerts/notify.js';
import { SYSTEM_AUDIT_CONTEXT, type AuditContext } from '../../src/audit/log.js';
import { applyCaseEvent, type CaseCommand } from '../../src/cases/service.js';
import { writeTransaction } from '../../src/db/client.js';
import { createIntake } from '../../src/intake/service.js';
import type { Actor } from '../../src/permissions/actor.js';
import type { Role } from '../../src/permissions/roles.js';
import { activeAssignments } from '../../src/users/repository.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type TestApp, type TestOrgs } from '../helpers/app.js';

interface Person {
  username: string;
  actor: Actor;
  audit: AuditContext;
}

interface NotificationRecord {
  id: number;
  user_id: number;
  kind: string;
  case_id: number | null;
  read_at: string | null;
}

let t: TestApp;
let orgs: TestOrgs;
let people: Record<'workerA' | 'workerA2' | 'workerB' | 'chairA' | 'supervisor' | 'operator' | 'social', Person>;

async function person(username: string, role: Role, orgId: number): Promise<Person> {
  const userId = await seedUser(t.db, username, [{ role, orgId }]);
  const assignment = activeAssignments(t.db, userId)[0]!;
  return {
    username,
    actor: { userId, assignmentId: assignment.id, role, orgId },
    audit: { actorUserId: userId, actorRole: role, actorOrgId: orgId, ip: null, requestId: null },
  };
}

function openCase(options: { commune?: number; categories?: string[]; by?: Person } = {}): { caseId: number; reference: string } {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: options.by?.actor ?? null, audit: options.by?.audit ?? SYSTEM_AUDIT_CONTEXT, recordedBy: options.by?.actor.userId ?? null }, {
      channel: 'hotline',
      medium: 'phone',
      receivedAt: new Date().toISOString(),
      sourceOrgId: orgs.hotline,
      child: { name: 'Trần Thị Bình', estimatedAge: 8, sex: 'female' },
      residenceOrgId: options.commune ?? orgs.communeA,
      description: 'Cháu thường xuyên bị bỏ đói.',
      immediateDanger: false,
      categories: options.categories ?? ['abuse_violence_physical'],
      reporter: { consented: false },
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return opened;
}

function apply(who: Person, caseId: number, command: CaseCommand): void {
  const result = applyCaseEvent(t.db, t.app.orgRelations, who, caseId, command);
  if (!result.ok) throw new Error(`${command.type} refused: ${result.reason}`);
}

function notificationsOf(who: Person): NotificationRecord[] {
  return t.db.$client
    .prepare('SELECT id, user_id, kind, case_id, read_at FROM notifications WHERE user_id = ? ORDER BY id')
    .all(who.actor.userId) as NotificationRecord[];
}

const kindsOf = (who: Person): string[] => notificationsOf(who).map((row) => row.kind);

beforeEach(async () => {
  t = await createTestApp();
  orgs = seedOrgs(t.db);
  people = {
    workerA: await person('canbo.a', 'commune_worker', orgs.communeA),
    workerA2: await person('canbo.a2', 'commune_worker', orgs.communeA),
    workerB: await person('canbo.b', 'commune_worker', orgs.communeB),
    chairA: await person('chutich.a', 'commune_chair', orgs.communeA),
    supervisor: await person('giamsat', 'supervisor', orgs.province),
    operator: await person('tongdai', 'hotline_operator', orgs.hotline),
    social: await person('ctxh', 'social_worker', orgs.socialWorkCentre),
  };
});

afterEach(async () => {
  await t.close();
});

describe('alerts from case events', () => {
  it('tells every commune worker of the commune about a new intake, and nobody else', () => {
    const { caseId } = openCase({ by: people.operator });
    expect(notificationsOf(people.workerA)).toEqual([expect.objectContaining({ kind: 'new_case', case_id: caseId, read_at: null })]);
    expect(kindsOf(people.workerA2)).toEqual(['new_case']);
    for (const other of [people.workerB, people.chairA, people.supervisor, people.operator, people.social]) expect(kindsOf(other)).toEqual([]);
  });

  it('keeps a sensitive intake from workers who may not read it; the supervisors who can assign it hear of it', () => {
    openCase({ categories: ['abuse_exploitation_sexual'] });
    expect(kindsOf(people.workerA)).toEqual([]);
    expect(kindsOf(people.workerA2)).toEqual([]);
    expect(kindsOf(people.supervisor)).toEqual(['new_case']);
  });

  it('asks the chairperson when a plan or a closure awaits approval, and says nothing on other steps', () => {
    const { caseId } = openCase();
    const steps: CaseCommand[] = [{ type: 'TAKE' }, { type: 'DECIDE_SUPPORT' }, { type: 'RECORD_NEEDS_MEETING' }, { type: 'COMPLETE_ASSESSMENT' }];
    for (const command of steps) apply(people.workerA, caseId, command);
    expect(kindsOf(people.chairA)).toEqual([]);
    apply(people.workerA, caseId, { type: 'SUBMIT_PLAN' });
    expect(kindsOf(people.chairA)).toEqual(['awaiting_approval']);

    apply(people.chairA, caseId, { type: 'APPROVE_PLAN' });
    apply(people.workerA, caseId, { type: 'START_REVIEW' });
    apply(people.workerA, caseId, { type: 'REQUEST_CLOSURE' });
    expect(kindsOf(people.chairA)).toEqual(['awaiting_approval', 'closure_requested']);
    // The worker who acted only ever heard of the new intake.
    expect(kindsOf(people.workerA)).toEqual(['new_case']);
  });

  it('tells the receiving commune when a case is transferred to it', () => {
    const { caseId } = openCase();
    apply(people.workerA, caseId, { type: 'TRANSFER', toOrgId: orgs.communeB });
    expect(kindsOf(people.workerB)).toEqual(['new_case']);
  });

  it('notifyAssigned alerts the person assigned by someone else, not someone taking a case for themselves', () => {
    const { caseId } = openCase();
    writeTransaction(t.db, (tx) => {
      notifyAssigned(tx, caseId, people.workerA2.actor.userId, people.supervisor.actor.userId);
      notifyAssigned(tx, caseId, people.workerA.actor.userId, people.workerA.actor.userId);
    });
    expect(kindsOf(people.workerA2)).toEqual(['new_case', 'assigned']);
    expect(kindsOf(people.workerA)).toEqual(['new_case']);
  });

  it('notifyReferral alerts the receiving organisation, once', () => {
    const { caseId } = openCase();
    const referralId = t.db.$client
      .prepare(`INSERT INTO referrals (case_id, to_org_id, reason, consent, created_by) VALUES (?, ?, 'Cần hỗ trợ tâm lý', 'guardian', ?)`)
      .run(caseId, orgs.socialWorkCentre, people.workerA.actor.userId).lastInsertRowid as number;
    writeTransaction(t.db, (tx) => notifyReferral(tx, referralId));
    writeTransaction(t.db, (tx) => notifyReferral(tx, referralId));
    expect(notificationsOf(people.social)).toEqual([expect.objectContaining({ kind: 'referral', case_id: caseId })]);
    // The province supervisor may answer referrals to the centre, so hears of it as well.
    expect(kindsOf(people.supervisor)).toEqual(['referral']);
    expect(kindsOf(people.workerA)).toEqual(['new_case']);
  });

  it('finds recipients with an indexed query', () => {
    const plan = t.db.$client
      .prepare(
        `EXPLAIN QUERY PLAN SELECT ra.user_id FROM org_closure oc JOIN role_assignments ra ON ra.org_id = oc.ancestor_id JOIN users u ON u.id = ra.user_id
         WHERE oc.descendant_id IN (?) AND ra.role IN ('commune_worker', 'supervisor') AND ra.ended_at IS NULL AND u.disabled_at IS NULL`,
      )
      .all(orgs.communeA) as { detail: string }[];
    expect(plan.map((step) => step.detail).join('\n')).not.toMatch(/^SCAN (oc|ra)\b/m);
  });
});

describe('the notification list', () => {
  it('shows my notifications, newest first, in words with the case reference; never another user’s', async () => {
    const first = openCase();
    const second = openCase();
    openCase({ commune: orgs.communeB });
    const browser = await login(t.app, t.db, people.workerA.username);
    const response = await send(t.app, browser, { url: '/notifications' });
    expect(response.statusCode).toBe(200);
    const body = response.body;
    expect(body).toContain(`Có tin báo mới về trẻ em tại xã, phường của bạn: ${second.reference}.`);
    expect(body.indexOf(second.reference)).toBeLessThan(body.indexOf(first.reference));
    expect(body).not.toContain('Trần Thị Bình');
    // Commune B's case reached only commune B.
    expect(body.match(/\/notifications\/\d+\/read/g)).toHaveLength(2);
  });

  it('shows the unread count in the header of every full page, not in htmx fragments', async () => {
    openCase();
    openCase();
    const browser = await login(t.app, t.db, people.workerA.username);
    const home = await send(t.app, browser, { url: '/' });
    expect(home.body).toMatch(/<a class="notifications-link" href="\/notifications">Thông báo <span class="nav-count">2<\/span>/);
    const fragment = await send(t.app, browser, { url: '/notifications', headers: { 'hx-request': 'true' } });
    expect(fragment.body).not.toContain('notifications-link');

    const quiet = await login(t.app, t.db, people.workerB.username);
    const page = await send(t.app, quiet, { url: '/' });
    expect(page.body).toContain('class="notifications-link"');
    expect(page.body).not.toMatch(/notifications-link[^\n]*nav-count/);
  });

  it('opening a notification marks it read and leads to its case', async () => {
    const { caseId } = openCase();
    const [notification] = notificationsOf(people.workerA);
    const browser = await login(t.app, t.db, people.workerA.username);
    const response = await send(t.app, browser, { method: 'POST', url: `/notifications/${notification!.id}/read` });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/cases/${caseId}`);
    expect(notificationsOf(people.workerA)[0]!.read_at).not.toBeNull();
    const home = await send(t.app, browser, { url: '/' });
    expect(home.body).not.toMatch(/notifications-link[^\n]*nav-count/);
    expect(auditActions(t.db)).toContainEqual(expect.objectContaining({ action: 'notification.mark_read', entity_id: String(notification!.id) }));
  });

  it('refuses to open another user’s notification (403, audited) and an unknown one (404)', async () => {
    openCase();
    const [theirs] = notificationsOf(people.workerA2);
    const browser = await login(t.app, t.db, people.workerA.username);
    const refused = await send(t.app, browser, { method: 'POST', url: `/notifications/${theirs!.id}/read` });
    expect(refused.statusCode).toBe(403);
    expect(notificationsOf(people.workerA2)[0]!.read_at).toBeNull();
    expect(auditActions(t.db)).toContainEqual(expect.objectContaining({ action: 'notification.read', outcome: 'refused', entity_id: String(theirs!.id) }));
    const missing = await send(t.app, browser, { method: 'POST', url: '/notifications/999999/read' });
    expect(missing.statusCode).toBe(404);
  });

  it('marks all of mine read, and only mine', async () => {
    openCase();
    openCase();
    const browser = await login(t.app, t.db, people.workerA.username);
    const list = await send(t.app, browser, { url: '/notifications' });
    expect(list.body).toContain('action="/notifications/read-all"');
    const response = await send(t.app, browser, { method: 'POST', url: '/notifications/read-all' });
    expect(response.statusCode).toBe(303);
    expect(notificationsOf(people.workerA).every((row) => row.read_at !== null)).toBe(true);
    expect(notificationsOf(people.workerA2).every((row) => row.read_at === null)).toBe(true);
    const after = await send(t.app, browser, { url: response.headers.location as string });
    expect(after.body).toContain('Đã đánh dấu tất cả thông báo là đã đọc.');
    expect(after.body).not.toContain('action="/notifications/read-all"');
  });

  it('leads a referral notification to the referral list', async () => {
    const { caseId } = openCase();
    const referralId = t.db.$client
      .prepare(`INSERT INTO referrals (case_id, to_org_id, reason, consent, created_by) VALUES (?, ?, 'Hỗ trợ', 'both', ?)`)
      .run(caseId, orgs.socialWorkCentre, people.workerA.actor.userId).lastInsertRowid as number;
    writeTransaction(t.db, (tx) => notifyReferral(tx, referralId));
    const browser = await login(t.app, t.db, people.social.username);
    const list = await send(t.app, browser, { url: '/notifications' });
    expect(list.body).toContain('Tổ chức của bạn nhận được một yêu cầu chuyển gửi mới đang chờ trả lời.');
    const [notification] = notificationsOf(people.social);
    const response = await send(t.app, browser, { method: 'POST', url: `/notifications/${notification!.id}/read` });
    expect(response.headers.location).toBe('/referrals');
  });
});
