// The case page: what it shows, which actions it offers to whom, and how each workflow form is
// handled (success, validation, refusal, stale version), with and without htmx.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { writeTransaction } from '../../src/db/client.js';
import { createIntake, type IntakeInput } from '../../src/intake/service.js';
import { createOrganisation } from '../../src/orgs/repository.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

const HOUR = 3_600_000;

let t: TestApp;
let orgs: TestOrgs;

function openIntake(over: Partial<IntakeInput> = {}): { id: number; reference: string } {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'hotline',
      medium: 'phone',
      receivedAt: new Date(Date.now() - 2 * HOUR).toISOString(),
      sourceOrgId: orgs.hotline,
      child: { name: 'Nguyễn Thị Lan', birthDate: '2017-04-02', sex: 'female' },
      residenceOrgId: orgs.communeA,
      incidentPlace: 'Nhà trọ gần khu công nghiệp',
      description: 'Cháu thường xuyên bị người chăm sóc đánh.\nHàng xóm nghe tiếng khóc mỗi tối.',
      currentCondition: 'Có vết bầm ở tay',
      immediateDanger: false,
      categories: ['abuse_violence_physical'],
      reporter: { consented: true, relation: 'Hàng xóm', name: 'Bà Tư', phone: '0912345678' },
      ...over,
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return { id: opened.caseId, reference: opened.reference };
}

function caseRow(id: number): { state: string; version: number; orgId: number; assigned: number | null } {
  return t.db.$client
    .prepare('SELECT state, row_version AS version, org_id AS orgId, assigned_user_id AS assigned FROM cases WHERE id = ?')
    .get(id) as never;
}

/** The workflow events the page offers, from the hidden `event` fields of its forms. */
function offeredEvents(html: string): string[] {
  return [...new Set([...html.matchAll(/name="event" value="([A-Z_]+)"/g)].map((match) => match[1]!))];
}

function postEvent(browser: Browser, caseId: number, payload: Record<string, string>, headers: Record<string, string> = {}) {
  return send(t.app, browser, { method: 'POST', url: `/cases/${caseId}/events`, payload, headers });
}

describe('case page', () => {
  let worker: Browser;
  let intake: { id: number; reference: string };

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    await seedUser(t.db, 'canbo2.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    await seedUser(t.db, 'chutich.a', [{ role: 'commune_chair', orgId: orgs.communeA }]);
    await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    intake = openIntake();
    worker = await login(t.app, t.db, 'canbo.a');
  });
  afterEach(async () => t.close());

  it('shows the header, the Mẫu 01 details and the timeline, and audits the read', async () => {
    const page = await send(t.app, worker, { url: `/cases/${intake.id}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(intake.reference);
    expect(page.body).toContain('<h1 id="case-title">Nguyễn Thị Lan</h1>');
    expect(page.body).toMatch(/\d+ tuổi/);
    expect(page.body).toContain('Nữ');
    expect(page.body).toContain('Xã An Bình');
    expect(page.body).toContain('Mới tiếp nhận');
    expect(page.body).toContain('Chưa có người nhận xử lý');
    expect(page.body).toMatch(/còn 9 giờ \d+ phút/);
    expect(page.body).toContain('Nhà trọ gần khu công nghiệp');
    expect(page.body).toContain('Có vết bầm ở tay');
    // Consented: the reporter is named.
    expect(page.body).toContain('Bà Tư');
    expect(page.body).toContain('Tiếp nhận thông tin (Mẫu 01) qua kênh Tổng đài 111');
    expect(auditActions(t.db)).toContainEqual({ action: 'case.view', outcome: 'allowed', entity_type: 'case', entity_id: String(intake.id) });
    // Titles stay in browser history: the reference only, never the child's name.
    expect(page.body).toContain(`<title>${intake.reference} · BVTE</title>`);
  });

  it('keeps an anonymous reporter anonymous and marks an emergency in words', async () => {
    const anonymous = openIntake({ immediateDanger: true, reporter: { consented: false, relation: 'Giáo viên', name: 'Cô Hoa', phone: '0987654321' } });
    const page = await send(t.app, worker, { url: `/cases/${anonymous.id}` });
    expect(page.body).toContain('Ẩn danh: người báo tin không đồng ý cung cấp danh tính');
    expect(page.body).not.toContain('Cô Hoa');
    expect(page.body).not.toContain('0987654321');
    expect(page.body).toContain('KHẨN CẤP');
    expect(page.body).toContain('case-header is-emergency');
  });

  it('answers 404 for an unknown case and refuses administrators', async () => {
    expect((await send(t.app, worker, { url: '/cases/999999' })).statusCode).toBe(404);
    const admin = await login(t.app, t.db, 'quantri');
    const refused = await send(t.app, admin, { url: `/cases/${intake.id}` });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('Nguyễn Thị Lan');
  });

  it('offers only the actions the statechart and the rules allow to this user', async () => {
    expect(offeredEvents((await send(t.app, worker, { url: `/cases/${intake.id}` })).body)).toEqual(['TAKE', 'DECLARE_EMERGENCY', 'TRANSFER']);

    const chair = await login(t.app, t.db, 'chutich.a');
    const chairPage = await send(t.app, chair, { url: `/cases/${intake.id}` });
    expect(chairPage.statusCode).toBe(200);
    expect(offeredEvents(chairPage.body)).toEqual([]);
    expect(chairPage.body).not.toContain('Nhận xử lý');

    await postEvent(worker, intake.id, { event: 'TAKE', row_version: '1' });
    expect(offeredEvents((await send(t.app, worker, { url: `/cases/${intake.id}` })).body)).toEqual([
      'DECLARE_EMERGENCY',
      'DECIDE_SUPPORT',
      'DECIDE_INTERVENTION',
      'CLOSE_UNFOUNDED',
      'MARK_DUPLICATE',
      'TRANSFER',
    ]);
  });

  it('answers a stale row_version with 409, the latest case and the reason the user typed', async () => {
    await postEvent(worker, intake.id, { event: 'TAKE', row_version: '1' });
    const reason = 'Đã xác minh tại nhà: không có sự việc như phản ánh.';
    const stale = await postEvent(worker, intake.id, { event: 'CLOSE_UNFOUNDED', row_version: '1', reason });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Người khác vừa thay đổi trường hợp này');
    expect(stale.body).toContain(reason);
    // The form now carries the current version, so submitting again works.
    expect(stale.body).toMatch(/<details class="action-form" open>\s*<summary>Kết thúc: thông tin không có cơ sở/);
    expect(stale.body).toContain('name="row_version" value="2"');
    expect(caseRow(intake.id).state).toBe('verification');

    const again = await postEvent(worker, intake.id, { event: 'CLOSE_UNFOUNDED', row_version: '2', reason });
    expect(again.statusCode).toBe(303);
    expect(caseRow(intake.id).state).toBe('closed');
    const closed = await send(t.app, worker, { url: `/cases/${intake.id}` });
    expect(closed.body).toContain(reason);
    expect(offeredEvents(closed.body)).toEqual(['REOPEN']);
  });

  it('requires a reason to close as unfounded (400, field error, nothing written)', async () => {
    await postEvent(worker, intake.id, { event: 'TAKE', row_version: '1' });
    const missing = await postEvent(worker, intake.id, { event: 'CLOSE_UNFOUNDED', row_version: '2', reason: '   ' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('id="CLOSE_UNFOUNDED-reason-error"');
    expect(caseRow(intake.id)).toMatchObject({ state: 'verification', version: 2 });
  });

  it('refuses an event the statechart does not allow now (409) and one the rules do not allow (403)', async () => {
    const early = await postEvent(worker, intake.id, { event: 'CLOSE_UNFOUNDED', row_version: '1', reason: 'Không có cơ sở' });
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('Không thể thực hiện việc này ở giai đoạn hiện tại');
    expect(early.body).toContain('Không có cơ sở');

    const chair = await login(t.app, t.db, 'chutich.a');
    expect((await postEvent(chair, intake.id, { event: 'TAKE', row_version: '1' })).statusCode).toBe(403);
    expect(auditActions(t.db)).toContainEqual({ action: 'case.triage', outcome: 'refused', entity_type: 'case', entity_id: String(intake.id) });
    expect(caseRow(intake.id).state).toBe('intake');
  });

  it('records an emergency and its measures, with the text and the time in the timeline', async () => {
    await postEvent(worker, intake.id, { event: 'TAKE', row_version: '1' });
    await postEvent(worker, intake.id, { event: 'DECLARE_EMERGENCY', row_version: '2', note: 'Cháu bị đánh chảy máu đầu.' });
    expect(caseRow(intake.id).state).toBe('emergency');
    const before = await send(t.app, worker, { url: `/cases/${intake.id}` });
    expect(offeredEvents(before.body)).toEqual(['RECORD_EMERGENCY_MEASURES', 'TRANSFER']);

    const future = await postEvent(worker, intake.id, { event: 'RECORD_EMERGENCY_MEASURES', row_version: '3', measures: 'Đưa cháu đến trạm y tế', measures_at: '2099-01-01T08:00' });
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('Thời điểm không được ở trong tương lai.');
    expect(future.body).toContain('Đưa cháu đến trạm y tế');

    const measures = 'Đưa cháu đến trạm y tế xã; tạm lánh ở nhà bà nội.';
    const recorded = await postEvent(worker, intake.id, {
      event: 'RECORD_EMERGENCY_MEASURES',
      row_version: '3',
      measures,
      separation: '1',
      place_of_care: 'Nhà bà nội, thôn Đông',
      measures_at: '2026-03-10T14:30',
    });
    expect(recorded.statusCode).toBe(303);
    const detail = JSON.parse(
      (t.db.$client.prepare("SELECT detail FROM case_timeline WHERE case_id = ? AND event_type = 'RECORD_EMERGENCY_MEASURES'").get(intake.id) as { detail: string }).detail,
    );
    expect(detail).toEqual({ measures, separation: true, placeOfCare: 'Nhà bà nội, thôn Đông', measuresTakenAt: '2026-03-10T07:30:00.000Z' });
    // The Mẫu 07 decision prints from its own record, written in the same transaction as the transition.
    expect(
      t.db.$client
        .prepare('SELECT measures, temporary_separation AS separation, place_of_care AS placeOfCare, taken_at AS takenAt FROM emergency_measures WHERE case_id = ?')
        .all(intake.id),
    ).toEqual([{ measures, separation: 1, placeOfCare: 'Nhà bà nội, thôn Đông', takenAt: '2026-03-10T07:30:00.000Z' }]);
    const page = await send(t.app, worker, { url: `/cases/${intake.id}` });
    expect(page.body).toContain(measures);
    expect(page.body).toContain('10/03/2026 14:30');
    expect(page.body).toContain('Cháu bị đánh chảy máu đầu.');
    expect(offeredEvents(page.body)).toEqual(['RECORD_EMERGENCY_MEASURES', 'DECIDE_SUPPORT', 'DECIDE_INTERVENTION', 'TRANSFER']);
  });

  it('makes whoever declares an emergency on an untaken intake responsible for it', async () => {
    const declared = await postEvent(worker, intake.id, { event: 'DECLARE_EMERGENCY', row_version: '1', note: 'Cháu đang bị nhốt trong nhà.' });
    expect(declared.statusCode).toBe(303);
    const workerId = (t.db.$client.prepare("SELECT id FROM users WHERE username = 'canbo.a'").get() as { id: number }).id;
    expect(caseRow(intake.id)).toMatchObject({ state: 'emergency', assigned: workerId, version: 3 });
    const events = t.db.$client.prepare("SELECT event_type AS type FROM case_timeline WHERE case_id = ? AND kind = 'state_change' ORDER BY id").all(intake.id);
    expect(events).toEqual([{ type: 'TAKE' }, { type: 'DECLARE_EMERGENCY' }]);
  });

  it('marks an intake a duplicate of an open case the worker can read, by reference', async () => {
    const other = openIntake({ child: { name: 'Nguyễn Thị Lan', birthDate: '2017-04-02', sex: 'female' } });
    const hidden = openIntake({ residenceOrgId: orgs.communeB });
    await postEvent(worker, intake.id, { event: 'TAKE', row_version: '1' });

    const unknown = await postEvent(worker, intake.id, { event: 'MARK_DUPLICATE', row_version: '2', other_reference: hidden.reference });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('Không tìm thấy trường hợp có mã này trong phạm vi bạn được xem.');
    const malformed = await postEvent(worker, intake.id, { event: 'MARK_DUPLICATE', row_version: '2', other_reference: 'abc' });
    expect(malformed.statusCode).toBe(400);

    const merged = await postEvent(worker, intake.id, { event: 'MARK_DUPLICATE', row_version: '2', other_reference: other.reference.toLowerCase() });
    expect(merged.statusCode).toBe(303);
    expect(caseRow(intake.id).state).toBe('merged');
    const page = await send(t.app, worker, { url: `/cases/${intake.id}` });
    expect(page.body).toContain('Đã gộp vào trường hợp khác');
    expect(page.body).toContain(`<a href="/cases/${other.id}">${other.reference}</a>`);
    expect(offeredEvents(page.body)).toEqual([]);
  });

  it('transfers to another commune; the worker who loses sight of the case goes back to the queue', async () => {
    const page = await send(t.app, worker, { url: `/cases/${intake.id}` });
    expect(page.body).toContain(`<option value="${orgs.communeB}">Phường Đông Hòa</option>`);
    expect(page.body).not.toContain(`<option value="${orgs.communeA}">`);
    const moved = await postEvent(worker, intake.id, { event: 'TRANSFER', row_version: '1', to_org_id: String(orgs.communeB) });
    expect(moved.statusCode).toBe(303);
    expect(moved.headers.location).toBe('/triage');
    expect(caseRow(intake.id)).toMatchObject({ state: 'intake', orgId: orgs.communeB });
    expect((await send(t.app, worker, { url: `/cases/${intake.id}` })).statusCode).toBe(403);
  });

  it('offers the communes of the same province, and finds one elsewhere by a search without diacritics', async () => {
    const elsewhere = createOrganisation(t.db, SYSTEM_AUDIT_CONTEXT, { name: 'Tỉnh Xa', kind: 'province', parentId: null });
    const farCommune = createOrganisation(t.db, SYSTEM_AUDIT_CONTEXT, { name: 'Xã Đồng Tâm', kind: 'commune', parentId: elsewhere });
    const page = await send(t.app, worker, { url: `/cases/${intake.id}` });
    expect(page.body).toContain(`<option value="${orgs.communeB}">Phường Đông Hòa</option>`);
    expect(page.body).not.toContain(`<option value="${farCommune}"`);

    const found = await send(t.app, worker, { url: `/cases/${intake.id}?commune_q=dong+tam` });
    expect(found.body).toContain(`<option value="${farCommune}">Xã Đồng Tâm, Tỉnh Xa</option>`);
    expect(found.body).not.toContain(`<option value="${orgs.communeB}"`);
    expect(found.body).toMatch(/<details class="action-form" open>\s*<summary>[^<]*<\/summary>\s*<form method="get"/);

    // A refused form keeps the commune found by the search in the list, still chosen.
    const refused = await postEvent(worker, intake.id, { event: 'TRANSFER', row_version: '99', to_org_id: String(farCommune) });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain(`<option value="${farCommune}" selected>`);
  });

  it('with htmx, answers a form with the updated case body in place', async () => {
    const response = await postEvent(worker, intake.id, { event: 'TAKE', row_version: '1' }, { 'hx-request': 'true', 'hx-target': 'case-body' });
    expect(response.statusCode).toBe(200);
    expect(response.body.trimStart().startsWith('<div id="case-body"')).toBe(true);
    expect(response.body).not.toContain('<html');
    expect(response.body).toContain('Nhận xử lý thông tin, bắt đầu xác minh');
    expect(response.body).toContain('Đã cập nhật trường hợp.');
    expect(response.body).toContain('hx-post="/cases/');

    const conflict = await postEvent(worker, intake.id, { event: 'DECIDE_SUPPORT', row_version: '1', note: 'Gia đình khó khăn' }, { 'hx-request': 'true' });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.body).toContain('Gia đình khó khăn');
  });

  it('lets a second worker see who took the case', async () => {
    await postEvent(worker, intake.id, { event: 'TAKE', row_version: '1' });
    const colleague = await login(t.app, t.db, 'canbo2.a');
    const page = await send(t.app, colleague, { url: `/cases/${intake.id}` });
    expect(page.body).toContain('Người dùng canbo.a');
    expect(page.body).toContain('Cán bộ bảo vệ trẻ em cấp xã');
  });
});
