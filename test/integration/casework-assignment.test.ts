// Assignment: supervisors give a case to a commune worker of its commune; every change of the
// responsible worker (assignment, TAKE, TRANSFER) lands in the assignment history, which a transfer keeps.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { writeTransaction } from '../../src/db/client.js';
import { createIntake } from '../../src/intake/service.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

let t: TestApp;
let orgs: TestOrgs;
let users: Record<'workerA' | 'workerA2' | 'workerB' | 'supervisorA' | 'supervisorB', number>;

function openCase(): number {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'hotline',
      medium: 'phone',
      receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
      sourceOrgId: orgs.hotline,
      child: { name: 'Trần Văn Minh', birthDate: '2015-09-12', sex: 'male' },
      residenceOrgId: orgs.communeA,
      description: 'Cháu phải làm việc ở xưởng may đến khuya.',
      immediateDanger: false,
      categories: ['abuse_violence_physical'],
      reporter: { consented: false },
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return opened.caseId;
}

function caseRow(id: number): { version: number; orgId: number; assigned: number | null } {
  return t.db.$client.prepare('SELECT row_version AS version, org_id AS orgId, assigned_user_id AS assigned FROM cases WHERE id = ?').get(id) as never;
}

function history(id: number): { userId: number; assignedBy: number | null; startedAt: string; endedAt: string | null }[] {
  return t.db.$client
    .prepare('SELECT user_id AS userId, assigned_by AS assignedBy, started_at AS startedAt, ended_at AS endedAt FROM case_assignments WHERE case_id = ? ORDER BY id')
    .all(id) as never;
}

function assign(browser: Browser, caseId: number, userId: number, rowVersion: number) {
  return send(t.app, browser, { method: 'POST', url: `/cases/${caseId}/assignment`, payload: { user_id: String(userId), row_version: String(rowVersion) } });
}

describe('case assignment', () => {
  let caseId: number;
  let supervisor: Browser;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    users = {
      workerA: await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]),
      workerA2: await seedUser(t.db, 'canbo2.a', [{ role: 'commune_worker', orgId: orgs.communeA }]),
      workerB: await seedUser(t.db, 'canbo.b', [{ role: 'commune_worker', orgId: orgs.communeB }]),
      supervisorA: await seedUser(t.db, 'giamsat.a', [{ role: 'supervisor', orgId: orgs.communeA }]),
      supervisorB: await seedUser(t.db, 'giamsat.b', [{ role: 'supervisor', orgId: orgs.communeB }]),
    };
    caseId = openCase();
    supervisor = await login(t.app, t.db, 'giamsat.a');
  });
  afterEach(async () => t.close());

  it("offers the supervisor the commune's active workers only", async () => {
    const page = await send(t.app, supervisor, { url: `/cases/${caseId}` });
    expect(page.statusCode).toBe(200);
    const select = /<select id="assignment-user_id"[\s\S]*?<\/select>/.exec(page.body)?.[0] ?? '';
    expect(select).toContain(`value="${users.workerA}"`);
    expect(select).toContain(`value="${users.workerA2}"`);
    expect(select).not.toContain(`value="${users.workerB}"`);
    expect(select).not.toContain(`value="${users.supervisorA}"`);
  });

  it('assigns and reassigns, keeping the history, the field changes, the timeline and the audit trail', async () => {
    const first = await assign(supervisor, caseId, users.workerA, 1);
    expect(first.statusCode).toBe(303);
    expect(caseRow(caseId)).toMatchObject({ assigned: users.workerA, version: 2 });

    const second = await assign(supervisor, caseId, users.workerA2, 2);
    expect(second.statusCode).toBe(303);
    expect(caseRow(caseId)).toMatchObject({ assigned: users.workerA2, version: 3 });

    const rows = history(caseId);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ userId: users.workerA, assignedBy: users.supervisorA });
    expect(rows[1]).toMatchObject({ userId: users.workerA2, assignedBy: users.supervisorA, endedAt: null });
    // One hands over to the next at the same instant: no gap, no overlap.
    expect(rows[0]?.endedAt).toBe(rows[1]?.startedAt);

    const changes = t.db.$client.prepare('SELECT entity, field, old_value AS oldValue, new_value AS newValue, user_id AS userId FROM field_changes WHERE case_id = ? ORDER BY id').all(caseId);
    expect(changes).toEqual([
      { entity: 'case', field: 'assignedUserId', oldValue: null, newValue: String(users.workerA), userId: users.supervisorA },
      { entity: 'case', field: 'assignedUserId', oldValue: String(users.workerA), newValue: String(users.workerA2), userId: users.supervisorA },
    ]);
    const timeline = t.db.$client.prepare("SELECT count(*) AS n FROM case_timeline WHERE case_id = ? AND kind = 'assignment'").get(caseId) as { n: number };
    expect(timeline.n).toBe(2);
    expect(auditActions(t.db).filter((entry) => entry.action === 'case.assign')).toEqual([
      { action: 'case.assign', outcome: 'allowed', entity_type: 'case', entity_id: String(caseId) },
      { action: 'case.assign', outcome: 'allowed', entity_type: 'case', entity_id: String(caseId) },
    ]);

    // Each worker given the case hears of it.
    const alerts = t.db.$client.prepare("SELECT user_id AS userId FROM notifications WHERE kind = 'assigned' AND case_id = ? ORDER BY id").all(caseId);
    expect(alerts).toEqual([{ userId: users.workerA }, { userId: users.workerA2 }]);

    const page = await send(t.app, supervisor, { url: `/cases/${caseId}` });
    expect(page.body).toContain('Lịch sử phân công');
    const section = /<section aria-labelledby="assignment-title"[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? '';
    expect(section).toContain('Người dùng canbo.a');
    expect(section).toContain('Người dùng canbo2.a');
    expect(section).toContain('phân công bởi Người dùng giamsat.a');
    expect(page.body).toContain('Phân công cán bộ phụ trách');
  });

  it('answers htmx with the updated case body', async () => {
    const response = await send(t.app, supervisor, {
      method: 'POST',
      url: `/cases/${caseId}/assignment`,
      payload: { user_id: String(users.workerA), row_version: '1' },
      headers: { 'hx-request': 'true' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<div id="case-body"');
    expect(response.body).toContain('Đã phân công cán bộ phụ trách.');
  });

  it('refuses a stale version, an ineligible worker and the same worker again, keeping the choice', async () => {
    await assign(supervisor, caseId, users.workerA, 1);
    const stale = await assign(supervisor, caseId, users.workerA2, 1);
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Người khác vừa thay đổi trường hợp này');
    expect(stale.body).toMatch(/<details class="action-form" open>\s*<summary>Phân công lại/);

    const otherCommune = await assign(supervisor, caseId, users.workerB, 2);
    expect(otherCommune.statusCode).toBe(400);
    expect(otherCommune.body).toContain('Chỉ có thể phân công cho cán bộ bảo vệ trẻ em đang hoạt động');

    const same = await assign(supervisor, caseId, users.workerA, 2);
    expect(same.statusCode).toBe(400);
    expect(same.body).toContain('Cán bộ này đang phụ trách trường hợp.');

    const missing = await send(t.app, supervisor, { method: 'POST', url: `/cases/${caseId}/assignment`, payload: { row_version: '2' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Vui lòng chọn một cán bộ.');
    expect(caseRow(caseId)).toMatchObject({ assigned: users.workerA, version: 2 });
    expect(history(caseId)).toHaveLength(1);
  });

  it('refuses commune workers (403, audited) and shows them no form', async () => {
    const worker = await login(t.app, t.db, 'canbo.a');
    const refused = await assign(worker, caseId, users.workerA, 1);
    expect(refused.statusCode).toBe(403);
    expect(auditActions(t.db)).toContainEqual({ action: 'case.assign', outcome: 'refused', entity_type: null, entity_id: null });
    expect(caseRow(caseId).assigned).toBeNull();
    const page = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(page.body).not.toContain(`action="/cases/${caseId}/assignment"`);
    // A supervisor of another commune cannot reach the case at all.
    const elsewhere = await login(t.app, t.db, 'giamsat.b');
    expect((await assign(elsewhere, caseId, users.workerA, 1)).statusCode).toBe(403);
  });

  it('records TAKE and TRANSFER in the history, which survives the transfer to another commune', async () => {
    const worker = await login(t.app, t.db, 'canbo.a');
    const taken = await send(t.app, worker, { method: 'POST', url: `/cases/${caseId}/events`, payload: { event: 'TAKE', row_version: '1' } });
    expect(taken.statusCode).toBe(303);
    expect(history(caseId)).toEqual([expect.objectContaining({ userId: users.workerA, assignedBy: users.workerA, endedAt: null })]);

    const moved = await send(t.app, worker, {
      method: 'POST',
      url: `/cases/${caseId}/events`,
      payload: { event: 'TRANSFER', row_version: '2', to_org_id: String(orgs.communeB) },
    });
    expect(moved.statusCode).toBe(303);
    expect(caseRow(caseId)).toMatchObject({ orgId: orgs.communeB, assigned: null });
    expect(history(caseId)[0]?.endedAt).not.toBeNull();

    const supervisorB = await login(t.app, t.db, 'giamsat.b');
    expect((await assign(supervisorB, caseId, users.workerA, 3)).statusCode).toBe(400);
    expect((await assign(supervisorB, caseId, users.workerB, 3)).statusCode).toBe(303);
    const rows = history(caseId);
    expect(rows.map((row) => row.userId)).toEqual([users.workerA, users.workerB]);
    expect(rows[1]).toMatchObject({ assignedBy: users.supervisorB, endedAt: null });

    const page = await send(t.app, supervisorB, { url: `/cases/${caseId}` });
    const section = /<section aria-labelledby="assignment-title"[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? '';
    expect(section).toContain('Người dùng canbo.a');
    expect(section).toContain('Người dùng canbo.b');
  });
});
