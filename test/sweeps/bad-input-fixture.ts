/**
 * The world the bad-input sweep runs in: the demo data (every role, cases in many states), a few
 * cases driven through the workflow with their casework records, and sacrificial records for the
 * administrators' routes, so that a sweep request that happens to be valid (disable a user, move an
 * organisation, revoke a key) never breaks the accounts and organisations the sweep itself relies on.
 */
import { createApiKey } from '../../src/api/keys.js';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { sessionIdFromToken } from '../../src/auth/session.js';
import type { CaseCommand } from '../../src/cases/service.js';
import { writeTransaction } from '../../src/db/client.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo, type DemoSeed } from '../../src/demo/seed.js';
import { createIntake } from '../../src/intake/service.js';
import { createOrganisation } from '../../src/orgs/repository.js';
import type { Role } from '../../src/permissions/roles.js';
import { PRINT_FORMS } from '../../src/printing/forms.js';
import { createTaxonomyCode } from '../../src/taxonomy/repository.js';
import { createUser, setUserDisabled } from '../../src/users/repository.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { advanceCase } from '../helpers/cases.js';

/** A signed-in user of the sweep, acting in one role. */
export interface SweepSession {
  username: string;
  role: Role;
  cookie: string;
  csrf: string;
  sessionId: string;
  assignmentId: number | null;
}

export interface SweepFixture {
  t: TestApp;
  seed: DemoSeed;
  apiKey: string;
  sessions: Map<Role, SweepSession>;
  /** Path parameters by route pattern: real records, in and out of each role's scope. */
  realParams(url: string): Record<string, string>[];
  /** Signs the role in again when a sweep request ended or changed its session. */
  restore(session: SweepSession): Promise<SweepSession>;
  /** A fresh address per login, so the sweep's own failed logins never throttle its sign-ins. */
  nextAddress(): string;
  close(): Promise<void>;
}

const TO_PLANNING: CaseCommand[] = [{ type: 'TAKE' }, { type: 'DECIDE_SUPPORT' }, { type: 'RECORD_NEEDS_MEETING' }, { type: 'COMPLETE_ASSESSMENT' }];
const TO_APPROVAL: CaseCommand[] = [...TO_PLANNING, { type: 'SUBMIT_PLAN' }];
const TO_IMPLEMENTATION: CaseCommand[] = [...TO_APPROVAL, { type: 'APPROVE_PLAN' }];

/** Sacrificial records the administrators' routes may change at will. */
interface Sacrificial {
  orgIds: number[];
  userIds: number[];
  apiKeyId: number;
  taxonomyCodes: string[];
  holiday: string;
}

function seedSacrificial(t: TestApp, seed: DemoSeed): Sacrificial {
  const add = (name: string, kind: 'commune' | 'school', parentId: number): number =>
    createOrganisation(t.db, SYSTEM_AUDIT_CONTEXT, { name, kind, parentId });
  const commune = add('Xã Thử Nghiệm Quét', 'commune', seed.orgs.province);
  const school = add('Trường Tiểu học Thử Nghiệm', 'school', commune);
  const userId = createUser(t.db, SYSTEM_AUDIT_CONTEXT, {
    username: 'quet.thu',
    displayName: 'Người dùng thử nghiệm',
    passwordHash: 'x',
    homeOrgId: commune,
    assignments: [
      { role: 'commune_worker', orgId: commune },
      { role: 'teacher', orgId: school },
    ],
  });
  const disabledUserId = createUser(t.db, SYSTEM_AUDIT_CONTEXT, {
    username: 'quet.khoa',
    displayName: 'Người dùng đã khóa',
    passwordHash: 'x',
    homeOrgId: commune,
    assignments: [{ role: 'commune_worker', orgId: commune }],
  });
  setUserDisabled(t.db, SYSTEM_AUDIT_CONTEXT, disabledUserId, true);
  const { id: apiKeyId } = createApiKey(t.db, SYSTEM_AUDIT_CONTEXT, { orgId: seed.orgs.hotline, name: 'Khóa thử nghiệm', createdBy: null });
  const group = 'sweep_group';
  const names = { nameVi: 'Nhóm thử nghiệm', nameEn: 'Sweep group', sensitive: false };
  createTaxonomyCode(t.db, SYSTEM_AUDIT_CONTEXT, { code: group, parentCode: null, groupKind: 'abuse', ...names });
  createTaxonomyCode(t.db, SYSTEM_AUDIT_CONTEXT, { code: 'sweep_child', parentCode: group, groupKind: 'abuse', ...names });
  const holiday = '2031-01-02';
  t.db.$client.prepare('INSERT INTO non_working_days (date, name_vi, name_en) VALUES (?, ?, ?)').run(holiday, 'Ngày nghỉ thử nghiệm', 'Sweep holiday');
  return { orgIds: [commune, school], userIds: [userId, disabledUserId], apiKeyId, taxonomyCodes: [group, 'sweep_child'], holiday };
}

/** Cases of Phường Kinh Bắc at each step of the workflow, opened and moved on through the real services. */
function seedWorkbenchCases(t: TestApp, seed: DemoSeed): number[] {
  const people = { worker: seed.users.canboxa, chair: seed.users.chutichxa };
  const paths: CaseCommand[][] = [
    [],
    [{ type: 'TAKE' }],
    [{ type: 'TAKE' }, { type: 'DECIDE_SUPPORT' }],
    [{ type: 'TAKE' }, { type: 'DECIDE_SUPPORT' }, { type: 'RECORD_NEEDS_MEETING' }],
    TO_PLANNING,
    TO_APPROVAL,
    TO_IMPLEMENTATION,
    [...TO_IMPLEMENTATION, { type: 'START_REVIEW' }],
    [...TO_IMPLEMENTATION, { type: 'START_REVIEW' }, { type: 'REQUEST_CLOSURE' }],
  ];
  return paths.map((commands, index) => {
    const opened = writeTransaction(t.db, (tx) =>
      createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
        channel: 'hotline',
        medium: 'phone',
        receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
        sourceOrgId: seed.orgs.hotline,
        child: { name: `Trần Thị Thử ${index + 1}`, birthDate: `2014-05-${String(index + 10)}`, sex: 'female' },
        residenceOrgId: seed.orgs.kinhBac,
        description: 'Cháu thường xuyên bị bỏ đói và đánh đập; hàng xóm nghe tiếng khóc nhiều đêm.',
        immediateDanger: false,
        categories: ['abuse_violence_physical'],
        reporter: { consented: false },
      }),
    );
    if (!opened) throw new Error('workbench case has no commune');
    advanceCase(t, people, opened.caseId, commands);
    return opened.caseId;
  });
}

/** A browser's sign-in, from its own address so that per-address throttling never counts the sweep's logins together. */
async function signIn(t: TestApp, username: string, remoteAddress: string): Promise<SweepSession> {
  const first = await t.app.inject({ method: 'GET', url: '/login', remoteAddress });
  const anonymousCsrf = first.cookies.find((cookie) => cookie.name === 'bvte_csrf')?.value ?? '';
  const response = await t.app.inject({
    method: 'POST',
    url: '/login',
    remoteAddress,
    headers: { cookie: `bvte_csrf=${anonymousCsrf}` },
    payload: { username, password: DEMO_PASSWORD, _csrf: anonymousCsrf },
  });
  const token = response.cookies.find((cookie) => cookie.name === 'bvte_session')?.value;
  if (response.statusCode !== 303 || !token) throw new Error(`sweep sign-in as ${username} failed: ${response.statusCode}`);
  const sessionId = sessionIdFromToken(token);
  const row = t.db.$client.prepare('SELECT csrf_token AS csrf, active_assignment_id AS assignmentId FROM sessions WHERE id = ?').get(sessionId) as {
    csrf: string;
    assignmentId: number | null;
  };
  const role = DEMO_ACCOUNTS.find((account) => account.username === username)!.assignments[0].role;
  return { username, role, cookie: `bvte_session=${token}`, csrf: row.csrf, sessionId, assignmentId: row.assignmentId };
}

type ParamRows = (t: TestApp) => Record<string, string>[];

const rows = (sql: string, ...args: unknown[]): ParamRows => (t) => t.db.$client.prepare(sql).all(...args) as Record<string, string>[];

/** Cases to address: every workbench case and, from the demo data, a few of each state (many outside a given role's scope). */
const CASE_SAMPLE = `SELECT CAST(id AS TEXT) AS id FROM (
  SELECT id, row_number() OVER (PARTITION BY state, org_id ORDER BY id DESC) AS n FROM cases
) WHERE n <= 1 ORDER BY id DESC LIMIT 40`;

export async function createSweepFixture(): Promise<SweepFixture> {
  // A small upload limit, so the oversized uploads of the sweep stay cheap.
  const t = await createTestApp({ maxUploadBytes: 64 * 1024 });
  const seed = await seedDemo(t.db);
  const sacrificial = seedSacrificial(t, seed);
  const workbench = seedWorkbenchCases(t, seed);
  const { key: apiKey } = createApiKey(t.db, SYSTEM_AUDIT_CONTEXT, { orgId: seed.orgs.hotline, name: 'Khóa của lượt quét', createdBy: null });

  let address = 0;
  const nextAddress = (): string => {
    address += 1;
    return `10.${77 + Math.floor(address / 65_536)}.${Math.floor(address / 256) % 256}.${address % 256}`;
  };
  const sessions = new Map<Role, SweepSession>();
  for (const account of DEMO_ACCOUNTS) {
    const session = await signIn(t, account.username, nextAddress());
    sessions.set(session.role, session);
  }

  const caseIds = (): string[] => [...new Set([...workbench.map(String), ...rows(CASE_SAMPLE)(t).map((row) => row.id!)])];
  const each = (name: string, values: readonly (string | number)[]): ParamRows => () => values.map((value) => ({ [name]: String(value) }));

  /** First match wins; each source must name every parameter of the routes it serves. */
  const SOURCES: [RegExp, ParamRows][] = [
    [/^\/setup\/:token$/, each('token', ['het-han-hoac-khong-ton-tai'])],
    [/^\/admin\/organisations\/:id/, each('id', sacrificial.orgIds)],
    [/^\/admin\/users\/:id\/assignments\/:assignmentId/, rows(`SELECT CAST(user_id AS TEXT) AS id, CAST(id AS TEXT) AS assignmentId FROM role_assignments WHERE user_id = ?`, sacrificial.userIds[0])],
    [/^\/admin\/users\/:id/, each('id', sacrificial.userIds)],
    [/^\/admin\/taxonomy\/:code/, each('code', sacrificial.taxonomyCodes)],
    [/^\/admin\/calendar\/:date/, each('date', [sacrificial.holiday])],
    [/^\/admin\/api-keys\/:id/, each('id', [sacrificial.apiKeyId])],
    [/^\/hotline\/calls\/:id/, rows('SELECT CAST(id AS TEXT) AS id FROM hotline_calls ORDER BY id DESC LIMIT 3')],
    [/^\/flags\/:id/, rows("SELECT CAST(id AS TEXT) AS id FROM flags ORDER BY status = 'new' DESC, id DESC LIMIT 4")],
    [/^\/referrals\/:id/, rows('SELECT CAST(id AS TEXT) AS id FROM referrals ORDER BY id DESC LIMIT 3')],
    [/^\/notifications\/:id/, rows('SELECT CAST(id AS TEXT) AS id FROM notifications ORDER BY id DESC LIMIT 3')],
    [/^\/cases\/:id\/plans\/:version/, rows('SELECT CAST(case_id AS TEXT) AS id, CAST(version AS TEXT) AS version FROM plans ORDER BY id DESC LIMIT 3')],
    [/^\/cases\/:id\/services\/:sid/, rows('SELECT CAST(case_id AS TEXT) AS id, CAST(id AS TEXT) AS sid FROM services ORDER BY id DESC LIMIT 3')],
    [/^\/cases\/:id\/follow-ups\/:fid/, rows('SELECT CAST(case_id AS TEXT) AS id, CAST(id AS TEXT) AS fid FROM follow_ups ORDER BY id DESC LIMIT 3')],
    [/^\/cases\/:id\/documents\/:documentId/, rows('SELECT CAST(case_id AS TEXT) AS id, CAST(id AS TEXT) AS documentId FROM documents ORDER BY id DESC LIMIT 3')],
    [/^\/cases\/:id\/print\/:form/, () => workbench.slice(0, 2).flatMap((id) => PRINT_FORMS.slice(0, 3).map((form) => ({ id: String(id), form })))],
    [/^\/cases\/:id/, () => caseIds().map((id) => ({ id }))],
  ];

  function realParams(url: string): Record<string, string>[] {
    const names = [...url.matchAll(/:(\w+)/g)].map((match) => match[1]!);
    if (names.length === 0) return [{}];
    const source = SOURCES.find(([pattern]) => pattern.test(url));
    if (!source) throw new Error(`no source of real path parameters for ${url}: add one to SOURCES in test/sweeps/bad-input-fixture.ts`);
    const found = source[1](t).filter((params) => names.every((name) => typeof params[name] === 'string'));
    return found;
  }

  async function restore(session: SweepSession): Promise<SweepSession> {
    const row = t.db.$client.prepare('SELECT active_assignment_id AS assignmentId FROM sessions WHERE id = ?').get(session.sessionId) as
      | { assignmentId: number | null }
      | undefined;
    const user = t.db.$client.prepare("SELECT locale, disabled_at AS disabledAt FROM users WHERE username = ?").get(session.username) as { locale: string | null; disabledAt: string | null };
    // A sweep request may switch the language of its own account: the catalogue checks read Vietnamese.
    if (user.locale !== null && user.locale !== 'vi') t.db.$client.prepare("UPDATE users SET locale = 'vi' WHERE username = ?").run(session.username);
    if (user.disabledAt !== null) throw new Error(`the sweep disabled its own account ${session.username}`);
    if (row && row.assignmentId === session.assignmentId) return session;
    const fresh = await signIn(t, session.username, nextAddress());
    sessions.set(fresh.role, fresh);
    return fresh;
  }

  return { t, seed, apiKey, sessions, realParams, restore, nextAddress, close: () => t.close() };
}
