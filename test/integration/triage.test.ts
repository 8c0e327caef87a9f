// The triage queue: which new intakes each person sees, in which order, with which countdown, and
// what taking one does (state, assignment, timeline, audit).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { writeTransaction } from '../../src/db/client.js';
import { createIntake, type IntakeInput } from '../../src/intake/service.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type TestApp, type TestOrgs } from '../helpers/app.js';

const HOUR = 3_600_000;

let t: TestApp;
let orgs: TestOrgs;

/** A report received `hoursAgo` hours ago, opened as the intake service does. */
function openIntake(name: string, hoursAgo: number, over: Partial<IntakeInput> = {}): { id: number; reference: string } {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'hotline',
      medium: 'phone',
      receivedAt: new Date(Date.now() - hoursAgo * HOUR).toISOString(),
      sourceOrgId: orgs.hotline,
      child: { name, estimatedAge: 9, sex: 'male' },
      residenceOrgId: orgs.communeA,
      description: 'Hàng xóm thấy cháu bị đánh nhiều lần.',
      immediateDanger: false,
      categories: ['abuse_violence_physical'],
      reporter: { consented: false },
      ...over,
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return { id: opened.caseId, reference: opened.reference };
}

/** The case references in the order the page lists them. */
function referencesIn(html: string): string[] {
  return [...html.matchAll(/href="\/cases\/\d+">(BV-\d{4}-\d{6})</g)].map((match) => match[1]!);
}

describe('triage queue', () => {
  let recent: { id: number; reference: string };
  let older: { id: number; reference: string };
  let overdue: { id: number; reference: string };
  let emergency: { id: number; reference: string };
  let sensitive: { id: number; reference: string };
  let otherCommune: { id: number; reference: string };

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    await seedUser(t.db, 'canbo.b', [{ role: 'commune_worker', orgId: orgs.communeB }]);
    await seedUser(t.db, 'chutich.a', [{ role: 'commune_chair', orgId: orgs.communeA }]);
    await seedUser(t.db, 'giamsat', [{ role: 'supervisor', orgId: orgs.province }]);
    recent = openIntake('Trần Thị Bình', 2);
    older = openIntake('Lê Văn Cường', 10);
    overdue = openIntake('Phạm Thị Dung', 14);
    emergency = openIntake('Hoàng Văn Em', 1, { immediateDanger: true });
    sensitive = openIntake('Vũ Thị Giang', 3, { categories: ['abuse_exploitation_sexual'] });
    otherCommune = openIntake('Đỗ Văn Hùng', 4, { residenceOrgId: orgs.communeB });
  });
  afterEach(async () => t.close());

  it('lists the commune’s new intakes, emergency first, then by the 12-hour clock, with countdowns', async () => {
    const worker = await login(t.app, t.db, 'canbo.a');
    const page = await send(t.app, worker, { url: '/triage' });
    expect(page.statusCode).toBe(200);
    expect(referencesIn(page.body)).toEqual([emergency.reference, overdue.reference, older.reference, recent.reference]);
    expect(page.body).toContain('KHẨN CẤP');
    expect(page.body).toMatch(/quá hạn 2 giờ \d+ phút/);
    expect(page.body).toMatch(/còn (9|10) giờ \d+ phút/);
    expect(page.body).toContain('Trần Thị Bình');
    expect(page.body).toContain('Tổng đài 111');
    expect(page.body).toContain('Bạo lực thể chất');
    expect(page.body).toMatch(/<time datetime="[^"]+" data-countdown>/);
    expect(page.body).toContain('data-countdown-strings');
    expect(page.body).toContain('hx-trigger="every 30s"');
    expect(auditActions(t.db).some((entry) => entry.action === 'case.triage_list')).toBe(true);
  });

  it('shows the number of new intakes beside the menu item', async () => {
    const worker = await login(t.app, t.db, 'canbo.a');
    const home = await send(t.app, worker, { url: '/' });
    expect(home.body).toMatch(/href="\/triage"[^>]*>Tiếp nhận mới <span class="nav-count">4<\/span>/);
  });

  it('hides other communes’ intakes and refuses their case pages (403, audited)', async () => {
    const workerB = await login(t.app, t.db, 'canbo.b');
    const page = await send(t.app, workerB, { url: '/triage' });
    expect(referencesIn(page.body)).toEqual([otherCommune.reference]);
    const refused = await send(t.app, workerB, { url: `/cases/${recent.id}` });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('Trần Thị Bình');
    expect(auditActions(t.db)).toContainEqual({ action: 'case.read', outcome: 'refused', entity_type: 'case', entity_id: String(recent.id) });
  });

  it('keeps an unassigned sensitive intake from commune workers, not from the supervisor or the chair', async () => {
    const worker = await login(t.app, t.db, 'canbo.a');
    expect(referencesIn((await send(t.app, worker, { url: '/triage' })).body)).not.toContain(sensitive.reference);
    expect((await send(t.app, worker, { url: `/cases/${sensitive.id}` })).statusCode).toBe(403);

    const supervisor = await login(t.app, t.db, 'giamsat');
    const supervised = referencesIn((await send(t.app, supervisor, { url: '/triage' })).body);
    expect(supervised).toContain(sensitive.reference);
    expect(supervised).toContain(otherCommune.reference);

    // Chairs direct and approve, they do not triage (no 'case.triage'), but they read every case of their commune.
    const chair = await login(t.app, t.db, 'chutich.a');
    expect((await send(t.app, chair, { url: '/triage' })).statusCode).toBe(403);
    const casePage = await send(t.app, chair, { url: `/cases/${sensitive.id}` });
    expect(casePage.statusCode).toBe(200);
    expect(casePage.body).toContain('Vũ Thị Giang');
  });

  it('answers an htmx refresh of the table with the table fragment only', async () => {
    const worker = await login(t.app, t.db, 'canbo.a');
    const before = auditActions(t.db).length;
    const fragment = await send(t.app, worker, { url: '/triage', headers: { 'hx-request': 'true', 'hx-target': 'triage-table' } });
    expect(fragment.statusCode).toBe(200);
    expect(fragment.headers.vary).toContain('HX-Request');
    expect(fragment.body.trimStart().startsWith('<div id="triage-table"')).toBe(true);
    expect(fragment.body).not.toContain('<html');
    expect(fragment.body).not.toContain('triage-title');
    expect(referencesIn(fragment.body)).toHaveLength(4);
    // Refreshes of an open list are not audited again.
    expect(auditActions(t.db)).toHaveLength(before);
  });

  it('takes an intake: assigns the worker, moves it to verification, writes the timeline and the audit', async () => {
    const worker = await login(t.app, t.db, 'canbo.a');
    const workerId = (t.db.$client.prepare("SELECT id FROM users WHERE username = 'canbo.a'").get() as { id: number }).id;
    const taken = await send(t.app, worker, { method: 'POST', url: `/cases/${recent.id}/take`, payload: { row_version: '1' } });
    expect(taken.statusCode).toBe(303);
    expect(taken.headers.location).toBe(`/cases/${recent.id}?done=TAKE`);

    const row = t.db.$client.prepare('SELECT state, assigned_user_id AS assigned, row_version AS version FROM cases WHERE id = ?').get(recent.id);
    expect(row).toEqual({ state: 'verification', assigned: workerId, version: 2 });
    const timeline = t.db.$client
      .prepare("SELECT event_type AS type, from_state AS fromState, to_state AS toState, actor_user_id AS actor FROM case_timeline WHERE case_id = ? AND kind = 'state_change'")
      .all(recent.id);
    expect(timeline).toEqual([{ type: 'TAKE', fromState: 'intake', toState: 'verification', actor: workerId }]);
    expect(auditActions(t.db)).toContainEqual({ action: 'case.event.TAKE', outcome: 'allowed', entity_type: 'case', entity_id: String(recent.id) });

    const casePage = await send(t.app, worker, { url: taken.headers.location as string });
    expect(casePage.body).toContain('Đã cập nhật trường hợp.');
    expect(casePage.body).toContain('Đang xác minh, đánh giá ban đầu');
    expect(casePage.body).toContain('Người dùng canbo.a');
    // Taken intakes leave the queue.
    expect(referencesIn((await send(t.app, worker, { url: '/triage' })).body)).not.toContain(recent.reference);
  });

  it('refuses to take an intake twice, or one from another commune', async () => {
    const worker = await login(t.app, t.db, 'canbo.a');
    const workerB = await login(t.app, t.db, 'canbo.b');
    expect((await send(t.app, workerB, { method: 'POST', url: `/cases/${recent.id}/take`, payload: {} })).statusCode).toBe(403);
    expect((await send(t.app, worker, { method: 'POST', url: `/cases/${recent.id}/take`, payload: {} })).statusCode).toBe(303);
    const again = await send(t.app, worker, { method: 'POST', url: `/cases/${recent.id}/take`, payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('đã được người khác nhận xử lý');
    expect((await send(t.app, worker, { method: 'POST', url: '/cases/999999/take', payload: {} })).statusCode).toBe(404);
  });
});
