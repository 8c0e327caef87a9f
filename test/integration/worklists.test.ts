// Home-page worklists: which lists each role sees, that they hold only in-scope cases (the permission
// rules applied in SQL), per-list pagination, and one audit entry per page view.
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { writeTransaction } from '../../src/db/client.js';
import { caseIsOverdue, clockAt } from '../../src/worklists/queries.js';
import { createIntake } from '../../src/intake/service.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type TestApp, type TestOrgs } from '../helpers/app.js';

const HOUR = 3_600_000;

let t: TestApp;
let orgs: TestOrgs;
const users: Record<string, number> = {};

function openCase(name: string, orgId: number, categories: string[] = ['abuse_violence_physical']): number {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'hotline',
      medium: 'phone',
      receivedAt: new Date(Date.now() - HOUR).toISOString(),
      sourceOrgId: orgs.hotline,
      child: { name, estimatedAge: 9, sex: 'male' },
      residenceOrgId: orgId,
      description: 'Cháu bị đánh nhiều lần.',
      immediateDanger: false,
      categories,
      reporter: { consented: false },
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return opened.caseId;
}

function setCase(id: number, fields: { state?: string; assigned?: number | null; nextDueAt?: string | null; risk?: string | null }): void {
  const row = t.db.$client.prepare('SELECT state, assigned_user_id AS assigned, next_due_at AS nextDueAt, risk_level AS risk FROM cases WHERE id = ?').get(id) as Record<string, unknown>;
  const next = { ...row, ...fields };
  t.db.$client
    .prepare('UPDATE cases SET state = ?, assigned_user_id = ?, next_due_at = ?, risk_level = ? WHERE id = ?')
    .run(next.state, next.assigned, next.nextDueAt, next.risk, id);
}

/** The text of one worklist section of the home page, by its heading id. */
function section(html: string, id: string): string {
  const start = html.indexOf(`id="worklist-${id}-title"`);
  if (start < 0) return '';
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}

function worklistViews(): number {
  return auditActions(t.db).filter((entry) => entry.action === 'case.worklist').length;
}

describe('worklists on the home page', () => {
  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    users.workerA = await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    users.worker2A = await seedUser(t.db, 'canbo2.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    users.workerB = await seedUser(t.db, 'canbo.b', [{ role: 'commune_worker', orgId: orgs.communeB }]);
    users.chairA = await seedUser(t.db, 'chutich.a', [{ role: 'commune_chair', orgId: orgs.communeA }]);
    users.supervisor = await seedUser(t.db, 'giamsat', [{ role: 'supervisor', orgId: orgs.province }]);
    users.teacher = await seedUser(t.db, 'giaovien', [{ role: 'teacher', orgId: orgs.schoolA }]);
    users.social = await seedUser(t.db, 'ctxh', [{ role: 'social_worker', orgId: orgs.socialWorkCentre }]);
  });
  afterEach(async () => t.close());

  it('shows a worker their cases, what is due soon and what is overdue, and audits the view once', async () => {
    const mine = openCase('Nguyễn Văn Mình', orgs.communeA);
    const dueSoon = openCase('Trần Thị Sắp', orgs.communeA);
    const overdue = openCase('Lê Văn Trễ', orgs.communeA);
    const later = openCase('Phạm Thị Xa', orgs.communeA);
    setCase(mine, { state: 'verification', assigned: users.workerA!, nextDueAt: new Date(Date.now() + 100 * HOUR).toISOString(), risk: 'high' });
    setCase(dueSoon, { state: 'verification', assigned: users.worker2A!, nextDueAt: new Date(Date.now() + 5 * HOUR).toISOString() });
    setCase(overdue, { state: 'planning', assigned: users.worker2A!, nextDueAt: new Date(Date.now() - 3 * HOUR).toISOString() });
    setCase(later, { nextDueAt: new Date(Date.now() + 200 * HOUR).toISOString() });

    const worker = await login(t.app, t.db, 'canbo.a');
    const before = worklistViews();
    const page = await send(t.app, worker, { url: '/' });
    expect(page.statusCode).toBe(200);
    const mineList = section(page.body, 'mine');
    expect(mineList).toContain('Nguyễn Văn Mình');
    expect(mineList).toContain('Cao');
    expect(mineList).not.toContain('Trần Thị Sắp');
    const dueList = section(page.body, 'due_soon');
    expect(dueList).toContain('Trần Thị Sắp');
    expect(dueList).toMatch(/còn \d+ giờ \d+ phút/);
    expect(dueList).not.toContain('Lê Văn Trễ');
    expect(dueList).not.toContain('Phạm Thị Xa');
    const overdueList = section(page.body, 'overdue');
    expect(overdueList).toContain('Lê Văn Trễ');
    expect(overdueList).toContain('quá hạn');
    expect(overdueList).toContain('Đang lập kế hoạch hỗ trợ, can thiệp');
    expect(worklistViews()).toBe(before + 1);
  });

  it('lists services and follow-up visits that are due or overdue', async () => {
    const id = openCase('Đỗ Thị Dịch Vụ', orgs.communeA);
    setCase(id, { state: 'implementation', assigned: users.workerA!, nextDueAt: null });
    const today = new Date(Date.now() + 7 * HOUR).toISOString().slice(0, 10);
    const past = new Date(Date.now() + 7 * HOUR - 3 * 24 * HOUR).toISOString().slice(0, 10);
    t.db.$client.prepare('INSERT INTO services (case_id, kind, description, due_on, created_by) VALUES (?, ?, ?, ?, ?)').run(id, 'counselling', 'Tư vấn tâm lý', today, users.workerA);
    t.db.$client.prepare('INSERT INTO follow_ups (case_id, due_on, created_by) VALUES (?, ?, ?)').run(id, past, users.workerA);

    const worker = await login(t.app, t.db, 'canbo.a');
    const page = (await send(t.app, worker, { url: '/' })).body;
    expect(section(page, 'due_soon')).toContain('Dịch vụ cần cung cấp');
    expect(section(page, 'overdue')).toContain('Thăm theo dõi');
    expect(section(page, 'overdue')).toContain('Đỗ Thị Dịch Vụ');
  });

  it('shows a worker of another commune none of them, and hides sensitive cases from an unassigned worker', async () => {
    const plain = openCase('Vũ Văn Thường', orgs.communeA);
    const sensitive = openCase('Hoàng Thị Kín', orgs.communeA, ['abuse_sexual']);
    const soon = new Date(Date.now() + 3 * HOUR).toISOString();
    setCase(plain, { state: 'verification', nextDueAt: soon });
    setCase(sensitive, { state: 'verification', nextDueAt: soon, assigned: users.worker2A! });

    const other = await login(t.app, t.db, 'canbo.b');
    const otherPage = (await send(t.app, other, { url: '/' })).body;
    expect(otherPage).toContain('id="worklist-mine-title"');
    expect(otherPage).not.toContain('Vũ Văn Thường');
    expect(otherPage).not.toContain('Hoàng Thị Kín');

    const unassigned = await login(t.app, t.db, 'canbo.a');
    const unassignedPage = (await send(t.app, unassigned, { url: '/' })).body;
    expect(section(unassignedPage, 'due_soon')).toContain('Vũ Văn Thường');
    expect(unassignedPage).not.toContain('Hoàng Thị Kín');

    const assigned = await login(t.app, t.db, 'canbo2.a');
    const assignedPage = (await send(t.app, assigned, { url: '/' })).body;
    expect(section(assignedPage, 'mine')).toContain('Hoàng Thị Kín');
  });

  it('shows the chairperson what awaits approval in their commune only', async () => {
    const plan = openCase('Ngô Văn Duyệt', orgs.communeA);
    const closure = openCase('Bùi Thị Kết', orgs.communeA);
    const elsewhere = openCase('Đinh Văn Khác', orgs.communeB);
    const working = openCase('Lý Thị Làm', orgs.communeA);
    setCase(plan, { state: 'awaitingApproval' });
    setCase(closure, { state: 'closureRequested' });
    setCase(elsewhere, { state: 'awaitingApproval' });
    setCase(working, { state: 'planning' });

    const chair = await login(t.app, t.db, 'chutich.a');
    const page = (await send(t.app, chair, { url: '/' })).body;
    const list = section(page, 'approval');
    expect(list).toContain('Ngô Văn Duyệt');
    expect(list).toContain('Chờ phê duyệt kế hoạch');
    expect(list).toContain('Bùi Thị Kết');
    expect(list).not.toContain('Đinh Văn Khác');
    expect(page).not.toContain('Lý Thị Làm');
    expect(page).not.toContain('id="worklist-mine-title"');
  });

  it("shows the supervisor the team's caseload, overdue first, and the cases to assign, sensitive ones included", async () => {
    const overdue = openCase('Cao Văn Một', orgs.communeA);
    const open = openCase('Cao Văn Hai', orgs.communeB);
    const sensitive = openCase('Cao Thị Ba', orgs.communeA, ['abuse_sexual']);
    setCase(overdue, { state: 'planning', assigned: users.worker2A!, nextDueAt: new Date(Date.now() - HOUR).toISOString() });
    setCase(open, { state: 'verification', assigned: users.workerB!, nextDueAt: new Date(Date.now() + 50 * HOUR).toISOString() });

    const supervisor = await login(t.app, t.db, 'giamsat');
    const page = (await send(t.app, supervisor, { url: '/' })).body;
    const team = section(page, 'team');
    expect(team).toContain('1 quá hạn');
    // Most overdue first: the worker with the overdue case heads the table; idle workers are listed too.
    expect(team.indexOf('Người dùng canbo2.a')).toBeGreaterThan(-1);
    expect(team.indexOf('Người dùng canbo2.a')).toBeLessThan(team.indexOf('Người dùng canbo.b'));
    expect(team).toContain('Người dùng canbo.a');
    expect(team).not.toContain('Cao Văn');
    const toAssign = section(page, 'unassigned');
    expect(toAssign).toContain('Cao Thị Ba');
    expect(toAssign).not.toContain('Cao Văn Một');
    expect(toAssign).toContain(`href="/cases/${sensitive}"`);
  });

  it('gives roles without case work their main links and no case data, and does not audit them', async () => {
    openCase('Trịnh Văn Ẩn', orgs.communeA);
    const teacher = await login(t.app, t.db, 'giaovien');
    const before = worklistViews();
    const page = (await send(t.app, teacher, { url: '/' })).body;
    expect(page).toContain('class="card" href="/flags/new"');
    expect(page).not.toContain('worklist-');
    expect(page).not.toContain('Trịnh Văn Ẩn');
    expect(worklistViews()).toBe(before);
  });

  it('gives a social worker the count of pending referrals to their organisation and only referred cases', async () => {
    const referred = openCase('Mạc Văn Chuyển', orgs.communeA);
    const notReferred = openCase('Mạc Văn Không', orgs.communeA);
    const pending = openCase('Mạc Văn Chờ', orgs.communeA);
    for (const id of [referred, notReferred, pending]) setCase(id, { state: 'implementation', nextDueAt: new Date(Date.now() + HOUR).toISOString() });
    const refer = t.db.$client.prepare("INSERT INTO referrals (case_id, to_org_id, reason, consent, status, created_by) VALUES (?, ?, 'Tư vấn', 'guardian', ?, ?)");
    refer.run(referred, orgs.socialWorkCentre, 'accepted', users.workerA);
    refer.run(pending, orgs.socialWorkCentre, 'pending', users.workerA);

    const social = await login(t.app, t.db, 'ctxh');
    const page = (await send(t.app, social, { url: '/' })).body;
    expect(section(page, 'referrals')).toContain('Có 1 trường hợp được chuyển gửi');
    expect(section(page, 'referrals')).toContain('href="/referrals"');
    expect(section(page, 'due_soon')).toContain('Mạc Văn Chuyển');
    // Referred cases stay assigned to the commune worker; for the centre's social worker they are still "my cases".
    expect(section(page, 'mine')).toContain('Mạc Văn Chuyển');
    expect(page).not.toContain('Mạc Văn Không');
    expect(page).not.toContain('Mạc Văn Chờ');
  });

  it('paginates each list on its own, 25 rows a page, keeping the other lists where they were', async () => {
    for (let n = 0; n < 27; n += 1) {
      const id = openCase(`Trẻ Số ${String(n).padStart(2, '0')}`, orgs.communeA);
      setCase(id, { state: 'verification', assigned: users.workerA!, nextDueAt: new Date(Date.now() + (60 + n) * HOUR).toISOString() });
    }
    const worker = await login(t.app, t.db, 'canbo.a');
    const first = section((await send(t.app, worker, { url: '/' })).body, 'mine');
    expect(first).toContain('Trẻ Số 00');
    expect(first).toContain('Trẻ Số 24');
    expect(first).not.toContain('Trẻ Số 25');
    expect(first).toContain('Trang 1/2');
    expect(first).toContain('href="/?mine_page=2"');

    const second = section((await send(t.app, worker, { url: '/?mine_page=2&overdue_page=3' })).body, 'mine');
    expect(second).toContain('Trẻ Số 25');
    expect(second).toContain('Trẻ Số 26');
    expect(second).not.toContain('Trẻ Số 24');
    expect(second).toContain('href="/?overdue_page=3&amp;mine_page=1"');

    // A page past the end has no row to carry the count: it is counted on its own, and the way back stays.
    const beyond = section((await send(t.app, worker, { url: '/?mine_page=4' })).body, 'mine');
    expect(beyond).not.toContain('Trẻ Số');
    expect(beyond).toContain('Trang 4/2');
    expect(beyond).toContain('href="/?mine_page=3"');
  });
});

describe('the overdue test of the team caseload', () => {
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  // Without table statistics, as in a new installation, SQLite once chose the due-date index for these
  // lookups: every open case then read every overdue service in the country (57 s for a province
  // with 100,000 services on the national file).
  it("looks up a case's services and visits by the case", () => {
    const plan = t.db
      .all<{ detail: string }>(sql`EXPLAIN QUERY PLAN SELECT count(*) FROM cases WHERE ${caseIsOverdue(clockAt(new Date()))}`)
      .map((step) => step.detail);
    expect(plan).toContainEqual(expect.stringMatching(/^SEARCH s USING (COVERING )?INDEX services_case_due_idx \(case_id=\?/));
    expect(plan).toContainEqual(expect.stringMatching(/^SEARCH f USING (COVERING )?INDEX follow_ups_case_due_idx \(case_id=\?/));
  });
});
