// Services and follow-up visits on the case page: due, overdue and done (on a fixed clock), the
// dates' change history, the timeline and audit of every step, and who may record them.
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dueFollowUps, followUpsOf } from '../../src/casework/follow-ups/repository.js';
import { overdueServices, servicesOf } from '../../src/casework/services/repository.js';
import { type CaseCommand } from '../../src/cases/service.js';
import { advanceCase, openHotlineCase } from '../helpers/cases.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

const DAY = 86_400_000;
// 10:00 in Viet Nam on Tuesday 10 March 2026.
const NOW = new Date('2026-03-10T03:00:00Z');

let t: TestApp;
let orgs: TestOrgs;
const ids: Record<string, number> = {};

function openCase(): number {
  return openHotlineCase(t, orgs, { name: 'Phạm Gia Huy', birthDate: '2015-01-20', sex: 'male' }, 'Cháu phải đi bán vé số đến khuya, bỏ học nhiều ngày.');
}
function advance(caseId: number, commands: CaseCommand[]): void {
  advanceCase(t, { worker: ids.worker!, chair: ids.chair! }, caseId, commands);
}
const ALL = sql`1`;




const TO_PLANNING: CaseCommand[] = [{ type: 'TAKE' }, { type: 'DECIDE_SUPPORT' }, { type: 'RECORD_NEEDS_MEETING' }, { type: 'COMPLETE_ASSESSMENT' }];
const TO_IMPLEMENTATION: CaseCommand[] = [...TO_PLANNING, { type: 'SUBMIT_PLAN' }, { type: 'APPROVE_PLAN' }];

function post(browser: Browser, url: string, payload: Record<string, string>, headers: Record<string, string> = {}) {
  return send(t.app, browser, { method: 'POST', url, payload, headers });
}

function fieldChanges(caseId: number) {
  return t.db.$client.prepare('SELECT entity, field, old_value AS oldValue, new_value AS newValue FROM field_changes WHERE case_id = ? ORDER BY id').all(caseId);
}

function timelineKinds(caseId: number): string[] {
  return (t.db.$client.prepare('SELECT kind FROM case_timeline WHERE case_id = ? ORDER BY id').all(caseId) as { kind: string }[]).map((row) => row.kind);
}

/** The text of the list item of the service or visit whose text includes `marker`. */
function itemOf(html: string, marker: string): string {
  const item = [...html.matchAll(/<li class="dated-item[\s\S]*?<\/li>/g)].map((match) => match[0]).find((text) => text.includes(marker));
  if (!item) throw new Error(`no item with ${marker}`);
  return item;
}

describe('services and follow-up visits', () => {
  let worker: Browser;
  let caseId: number;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    ids.worker = await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    ids.otherWorker = await seedUser(t.db, 'canbo2.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    ids.workerB = await seedUser(t.db, 'canbo.b', [{ role: 'commune_worker', orgId: orgs.communeB }]);
    ids.chair = await seedUser(t.db, 'chutich.a', [{ role: 'commune_chair', orgId: orgs.communeA }]);
    ids.supervisor = await seedUser(t.db, 'giamsat', [{ role: 'supervisor', orgId: orgs.province }]);
    caseId = openCase();
    advance(caseId, TO_IMPLEMENTATION);
    worker = await login(t.app, t.db, 'canbo.a');
  });
  afterEach(async () => {
    await t.close();
    vi.useRealTimers();
  });

  it('labels services due, overdue and done, and keeps the history of their dates', async () => {
    const counselling = 'Tư vấn cho cháu và mẹ về quyền được đi học';
    const schooling = 'Hỗ trợ học bổ túc và sách vở';
    expect((await post(worker, `/cases/${caseId}/services`, { kind: 'counselling', description: counselling, due_on: '2026-03-12' })).statusCode).toBe(303);
    expect((await post(worker, `/cases/${caseId}/services`, { kind: 'education_support', description: schooling, due_on: '09/03/2026' })).statusCode).toBe(303);

    const page = (await send(t.app, worker, { url: `/cases/${caseId}` })).body;
    expect(itemOf(page, counselling)).toContain('Hạn 12/03/2026 · còn 2 ngày');
    expect(itemOf(page, counselling)).toContain('Tư vấn');
    const late = itemOf(page, schooling);
    expect(late).toContain('dated-item is-overdue');
    expect(late).toContain('<strong class="due-state due-overdue">Quá hạn 1 ngày</strong>');
    expect(late).toContain('Hỗ trợ học tập');
    expect(overdueServices(t.db, ALL).map((row) => row.kind)).toEqual(['education_support']);

    const [first, second] = servicesOf(t.db, caseId).sort((a, b) => a.id - b.id);
    // Not delivered in the future; delivered today is fine.
    const future = await post(worker, `/cases/${caseId}/services/${first!.id}/implemented`, { implemented_on: '2026-03-11' });
    expect(future.statusCode).toBe(400);
    expect(future.body).toMatch(/<details class="action-form" open>\s*<summary>Ghi nhận đã thực hiện/);
    expect(future.body).toContain('value="2026-03-11"');
    expect((await post(worker, `/cases/${caseId}/services/${first!.id}/implemented`, { implemented_on: '2026-03-10' })).statusCode).toBe(303);
    expect(itemOf((await send(t.app, worker, { url: `/cases/${caseId}` })).body, counselling)).toContain('Đã thực hiện ngày 10/03/2026');
    expect((await post(worker, `/cases/${caseId}/services/${first!.id}/implemented`, { implemented_on: '2026-03-10' })).statusCode).toBe(409);

    // Moving a date is recorded field by field, then the clock runs on to the new date.
    const moved = await post(worker, `/cases/${caseId}/services/${second!.id}/due`, { due_on: '2026-03-20' }, { 'hx-request': 'true' });
    expect(moved.statusCode).toBe(200);
    expect(moved.body).toContain('Đã cập nhật hạn thực hiện dịch vụ.');
    expect(overdueServices(t.db, ALL)).toEqual([]);
    expect(fieldChanges(caseId)).toEqual([
      { entity: `service:${first!.id}`, field: 'implementedOn', oldValue: null, newValue: '2026-03-10' },
      { entity: `service:${second!.id}`, field: 'dueOn', oldValue: '2026-03-09', newValue: '2026-03-20' },
    ]);
    vi.setSystemTime(NOW.getTime() + 12 * DAY);
    const later = await login(t.app, t.db, 'canbo.a');
    expect(itemOf((await send(t.app, later, { url: `/cases/${caseId}` })).body, schooling)).toContain('Quá hạn 2 ngày');
    expect(overdueServices(t.db, ALL)).toMatchObject([{ id: second!.id, caseId, dueOn: '2026-03-20' }]);

    expect(timelineKinds(caseId)).toEqual(expect.arrayContaining(['service_added', 'service_implemented', 'service_rescheduled']));
    const actions = auditActions(t.db).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['service.add', 'service.implemented', 'service.reschedule']));
    const timeline = (await send(t.app, later, { url: `/cases/${caseId}` })).body;
    expect(timeline).toContain('Thêm dịch vụ hỗ trợ');
    expect(timeline).toContain('Ghi nhận dịch vụ đã được thực hiện');
    expect(timeline).toContain('Thay đổi hạn thực hiện dịch vụ');
  });

  it('checks the service form and keeps what was typed', async () => {
    const bad = await post(worker, `/cases/${caseId}/services`, { kind: 'massage', description: 'Mô tả dịch vụ', due_on: '31/02/2026' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Vui lòng chọn loại dịch vụ.');
    expect(bad.body).toContain('id="service-due_on-error"');
    expect(bad.body).toContain('Mô tả dịch vụ');
    const school = await post(worker, `/cases/${caseId}/services`, { kind: 'medical', description: 'Khám', due_on: '2026-03-12', provider_org_id: String(orgs.schoolA) });
    expect(school.statusCode).toBe(400);
    expect(servicesOf(t.db, caseId)).toEqual([]);
  });

  it('schedules and records follow-up visits, due and overdue, for the current user by default', async () => {
    const form = (await send(t.app, worker, { url: `/cases/${caseId}` })).body;
    expect(form).toContain(`<option value="${ids.worker}" selected>Người dùng canbo.a</option>`);
    expect(form).toContain(`<option value="${ids.otherWorker}">Người dùng canbo2.a</option>`);
    // Only people who may serve this case can be given the visit.
    expect(form).not.toContain('Người dùng canbo.b');
    expect((await post(worker, `/cases/${caseId}/follow-ups`, { due_on: '2026-03-12', assigned_user_id: String(ids.workerB) })).statusCode).toBe(400);
    // A supervisor above the commune is offered themselves first too.
    const supervisor = await login(t.app, t.db, 'giamsat');
    expect((await send(t.app, supervisor, { url: `/cases/${caseId}` })).body).toContain(`<option value="${ids.supervisor}" selected>Người dùng giamsat</option>`);

    expect((await post(worker, `/cases/${caseId}/follow-ups`, { due_on: '2026-03-12', assigned_user_id: String(ids.worker) })).statusCode).toBe(303);
    expect((await post(worker, `/cases/${caseId}/follow-ups`, { due_on: '2026-03-08', assigned_user_id: String(ids.otherWorker) })).statusCode).toBe(303);
    const page = (await send(t.app, worker, { url: `/cases/${caseId}` })).body;
    expect(itemOf(page, 'Người thực hiện: Người dùng canbo.a')).toContain('Hạn 12/03/2026 · còn 2 ngày');
    expect(itemOf(page, 'Người thực hiện: Người dùng canbo2.a')).toContain('Quá hạn 2 ngày');
    expect(dueFollowUps(t.db, ALL).map((row) => ({ dueOn: row.dueOn, overdue: row.overdue }))).toEqual([{ dueOn: '2026-03-08', overdue: true }]);
    expect(dueFollowUps(t.db, ALL, '2026-03-12')).toHaveLength(2);

    const [visit] = followUpsOf(t.db, caseId).filter((row) => row.dueOn === '2026-03-08');
    const noNotes = await post(worker, `/cases/${caseId}/follow-ups/${visit!.id}/visit`, { visited_on: '2026-03-09', notes: '' });
    expect(noNotes.statusCode).toBe(400);
    expect(noNotes.body).toContain(`id="follow-up-${visit!.id}-visit-notes-error"`);
    const notes = 'Cháu đã đi học lại 3 buổi/tuần; mẹ cam kết không cho đi bán buổi tối.';
    expect((await post(worker, `/cases/${caseId}/follow-ups/${visit!.id}/visit`, { visited_on: '2026-03-09', notes })).statusCode).toBe(303);
    const after = (await send(t.app, worker, { url: `/cases/${caseId}` })).body;
    expect(itemOf(after, notes)).toContain('Đã thăm ngày 09/03/2026');
    expect(dueFollowUps(t.db, ALL)).toEqual([]);

    const [other] = followUpsOf(t.db, caseId).filter((row) => row.visitedOn === null);
    expect((await post(worker, `/cases/${caseId}/follow-ups/${other!.id}/due`, { due_on: '2026-03-15' })).statusCode).toBe(303);
    expect(fieldChanges(caseId)).toEqual([
      { entity: `follow_up:${visit!.id}`, field: 'visitedOn', oldValue: null, newValue: '2026-03-09' },
      { entity: `follow_up:${other!.id}`, field: 'dueOn', oldValue: '2026-03-12', newValue: '2026-03-15' },
    ]);
    expect(timelineKinds(caseId)).toEqual(expect.arrayContaining(['follow_up_scheduled', 'follow_up_visited', 'follow_up_rescheduled']));
    expect(auditActions(t.db).map((entry) => entry.action)).toEqual(expect.arrayContaining(['follow_up.schedule', 'follow_up.visit', 'follow_up.reschedule']));
    expect(after).toContain(notes);
  });

  it('offers no forms to those who may not serve the case, and refuses them', async () => {
    await post(worker, `/cases/${caseId}/services`, { kind: 'shelter', description: 'Tạm trú tại nhà bà ngoại', due_on: '2026-03-12' });
    const [service] = servicesOf(t.db, caseId);
    const chair = await login(t.app, t.db, 'chutich.a');
    const page = (await send(t.app, chair, { url: `/cases/${caseId}` })).body;
    expect(page).toContain('Tạm trú tại nhà bà ngoại');
    expect(page).not.toContain(`action="/cases/${caseId}/services"`);
    expect(page).not.toContain(`/services/${service!.id}/implemented`);
    expect(page).not.toContain(`action="/cases/${caseId}/follow-ups"`);
    expect((await post(chair, `/cases/${caseId}/services/${service!.id}/implemented`, { implemented_on: '2026-03-10' })).statusCode).toBe(403);
    // The chairperson's role never serves a case: refused at the route, before the case is looked at.
    expect(auditActions(t.db)).toContainEqual({ action: 'case.serve', outcome: 'refused', entity_type: null, entity_id: null });
    const workerB = await login(t.app, t.db, 'canbo.b');
    expect((await post(workerB, `/cases/${caseId}/follow-ups`, { due_on: '2026-03-12', assigned_user_id: String(ids.workerB) })).statusCode).toBe(403);
  });

  it('records services only once the plan is approved', async () => {
    const planning = openCase();
    advance(planning, TO_PLANNING);
    const page = (await send(t.app, worker, { url: `/cases/${planning}` })).body;
    expect(page).not.toContain(`action="/cases/${planning}/services"`);
    expect(page).not.toContain('Dịch vụ hỗ trợ</h2>');
    const early = await post(worker, `/cases/${planning}/services`, { kind: 'medical', description: 'Khám sức khỏe', due_on: '2026-03-12' });
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('Khám sức khỏe');
  });
});
