// The assessment steps on the case page: the initial risk assessment (Mẫu 02) while verifying, the
// needs meeting (Art. 27) and the detailed assessment (Mẫu 03) that starts planning; with and without
// htmx, with validation, stale versions and refusals.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT, type AuditContext } from '../../src/audit/log.js';
import { applyCaseEvent, type CaseCommand } from '../../src/cases/service.js';
import { writeTransaction } from '../../src/db/client.js';
import { createIntake } from '../../src/intake/service.js';
import type { Actor } from '../../src/permissions/actor.js';
import type { Role } from '../../src/permissions/roles.js';
import { activeAssignments } from '../../src/users/repository.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

let t: TestApp;
let orgs: TestOrgs;
let workerA: { actor: Actor; audit: AuditContext };
let worker: Browser;

async function person(username: string, role: Role, orgId: number): Promise<{ actor: Actor; audit: AuditContext }> {
  const userId = await seedUser(t.db, username, [{ role, orgId }]);
  const assignment = activeAssignments(t.db, userId)[0]!;
  return {
    actor: { userId, assignmentId: assignment.id, role, orgId },
    audit: { actorUserId: userId, actorRole: role, actorOrgId: orgId, ip: null, requestId: null },
  };
}

function openCase(): number {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'hotline',
      medium: 'phone',
      receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
      sourceOrgId: orgs.hotline,
      child: { name: 'Trần Minh Khoa', estimatedAge: 8, sex: 'male' },
      residenceOrgId: orgs.communeA,
      description: 'Cháu bị cha dượng đánh, nghỉ học nhiều ngày.',
      immediateDanger: false,
      categories: ['abuse_violence_physical'],
      reporter: { consented: false },
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return opened.caseId;
}

/** Drives the case through the service, as worker A, from wherever it is. */
function drive(caseId: number, ...types: CaseCommand['type'][]): void {
  for (const type of types) {
    const result = applyCaseEvent(t.db, t.app.orgRelations, workerA, caseId, { type } as CaseCommand);
    if (!result.ok) throw new Error(`${type}: ${result.reason}`);
  }
}

function caseRow(id: number): { state: string; version: number; risk: string | null } {
  return t.db.$client.prepare('SELECT state, row_version AS version, risk_level AS risk FROM cases WHERE id = ?').get(id) as never;
}

function assessmentsOf(caseId: number): { kind: string; overall_risk: string; items: string; summary: string | null; needs: string | null }[] {
  return t.db.$client.prepare('SELECT kind, overall_risk, items, summary, needs FROM assessments WHERE case_id = ? ORDER BY id').all(caseId) as never;
}

function timelineOf(caseId: number): { kind: string; event_type: string | null; detail: string | null }[] {
  return t.db.$client.prepare('SELECT kind, event_type, detail FROM case_timeline WHERE case_id = ? ORDER BY id').all(caseId) as never;
}

function riskChanges(caseId: number): { entity: string; field: string; old_value: string | null; new_value: string | null }[] {
  return t.db.$client.prepare("SELECT entity, field, old_value, new_value FROM field_changes WHERE case_id = ? AND field = 'riskLevel' ORDER BY id").all(caseId) as never;
}

/** Every item of a list rated, with the overrides. */
function ratings(items: readonly string[], base: string, overrides: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(items.map((item) => [item, overrides[item] ?? base]));
}
const INITIAL_ITEMS = ['harm_severity', 'abuser_access', 'home_safety_obstacles', 'child_self_protection', 'current_condition', 'repetition', 'caregiver_capacity'];
const DETAILED_ITEMS = INITIAL_ITEMS.slice(0, 4);

const post = (browser: Browser, url: string, payload: Record<string, string>, headers: Record<string, string> = {}) =>
  send(t.app, browser, { method: 'POST', url, payload, headers });

beforeEach(async () => {
  t = await createTestApp();
  orgs = seedOrgs(t.db);
  workerA = await person('canbo.a', 'commune_worker', orgs.communeA);
  await seedUser(t.db, 'canbo.b', [{ role: 'commune_worker', orgId: orgs.communeB }]);
  await seedUser(t.db, 'chutich.a', [{ role: 'commune_chair', orgId: orgs.communeA }]);
  worker = await login(t.app, t.db, 'canbo.a');
});
afterEach(async () => t.close());

describe('initial risk assessment (Mẫu 02)', () => {
  it('derives and stores the overall risk on the assessment and the case, with history, timeline and audit', async () => {
    const caseId = openCase();
    drive(caseId, 'TAKE');
    const page = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(page.body).toContain(`action="/cases/${caseId}/assessments/initial"`);
    expect(page.body).toContain('Mức độ nghiêm trọng của tổn hại');
    expect(page.body).toContain('Mức nguy cơ chung được tính tự động');

    const saved = await post(worker, `/cases/${caseId}/assessments/initial`, {
      row_version: '2',
      ...ratings(INITIAL_ITEMS, 'low', { harm_severity: 'high' }),
      harm_severity_note: 'Nhiều vết bầm ở lưng',
      summary: 'Cần theo dõi sát.',
    });
    expect(saved.statusCode).toBe(303);
    expect(caseRow(caseId)).toEqual({ state: 'verification', version: 3, risk: 'high' });
    const [stored] = assessmentsOf(caseId);
    expect(stored).toMatchObject({ kind: 'initial', overall_risk: 'high', summary: 'Cần theo dõi sát.', needs: null });
    expect(JSON.parse(stored!.items)).toHaveLength(7);
    expect(JSON.parse(stored!.items)[0]).toEqual({ item: 'harm_severity', rating: 'high', note: 'Nhiều vết bầm ở lưng' });
    expect(riskChanges(caseId)).toEqual([{ entity: 'case', field: 'riskLevel', old_value: null, new_value: 'high' }]);
    expect(timelineOf(caseId).at(-1)).toEqual({ kind: 'assessment_initial', event_type: null, detail: JSON.stringify({ overallRisk: 'high' }) });
    expect(auditActions(t.db)).toContainEqual({ action: 'case.assessment_initial', outcome: 'allowed', entity_type: 'case', entity_id: String(caseId) });

    const shown = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(shown.body).toContain('Đánh giá nguy cơ ban đầu (Mẫu 02)');
    expect(shown.body).toMatch(/Mức nguy cơ chung: <strong class="risk-badge risk-high">Cao<\/strong>/);
    expect(shown.body).toContain('Nhiều vết bầm ở lưng');
    expect(shown.body).toContain('Đánh giá lại nguy cơ ban đầu');

    // Assessed again: two medium items make the overall risk medium, and the change is kept.
    const again = await post(worker, `/cases/${caseId}/assessments/initial`, {
      row_version: '3',
      ...ratings(INITIAL_ITEMS, 'low', { repetition: 'medium', caregiver_capacity: 'medium' }),
    });
    expect(again.statusCode).toBe(303);
    expect(caseRow(caseId).risk).toBe('medium');
    expect(riskChanges(caseId).at(-1)).toEqual({ entity: 'case', field: 'riskLevel', old_value: 'high', new_value: 'medium' });
  });

  it('keeps the input on a validation error (400) and on a stale version (409), writing nothing', async () => {
    const caseId = openCase();
    drive(caseId, 'TAKE');
    const missing = await post(worker, `/cases/${caseId}/assessments/initial`, {
      row_version: '2',
      ...ratings(INITIAL_ITEMS.slice(1), 'low'),
      abuser_access_note: 'Cha dượng vẫn sống cùng nhà',
      summary: 'Nhận định tạm thời',
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('id="assessment_initial-harm_severity-error"');
    expect(missing.body).toContain('Vui lòng chọn mức nguy cơ');
    expect(missing.body).toContain('Cha dượng vẫn sống cùng nhà');
    expect(missing.body).toContain('Nhận định tạm thời');
    expect(missing.body).toMatch(/<details class="action-form casework-form" open>\s*<summary>Đánh giá nguy cơ ban đầu/);
    expect(missing.body).toMatch(/id="assessment_initial-abuser_access-low" type="radio" name="abuser_access" value="low" checked/);
    expect(assessmentsOf(caseId)).toEqual([]);
    expect(caseRow(caseId).version).toBe(2);

    const stale = await post(worker, `/cases/${caseId}/assessments/initial`, { row_version: '1', ...ratings(INITIAL_ITEMS, 'low'), summary: 'Gửi từ trang cũ' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Người khác vừa thay đổi trường hợp này');
    expect(stale.body).toContain('Gửi từ trang cũ');
    expect(stale.body).toContain('name="row_version" value="2"');
    expect(assessmentsOf(caseId)).toEqual([]);
  });

  it('is offered only while verifying, to those who do casework on the case', async () => {
    const caseId = openCase();
    expect((await send(t.app, worker, { url: `/cases/${caseId}` })).body).not.toContain('/assessments/initial');
    const early = await post(worker, `/cases/${caseId}/assessments/initial`, { row_version: '1', ...ratings(INITIAL_ITEMS, 'low') });
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('Không thể thực hiện việc này ở giai đoạn hiện tại');

    drive(caseId, 'TAKE');
    const chair = await login(t.app, t.db, 'chutich.a');
    expect((await send(t.app, chair, { url: `/cases/${caseId}` })).body).not.toContain('/assessments/initial');
    expect((await post(chair, `/cases/${caseId}/assessments/initial`, { row_version: '2', ...ratings(INITIAL_ITEMS, 'low') })).statusCode).toBe(403);

    const other = await login(t.app, t.db, 'canbo.b');
    const refused = await post(other, `/cases/${caseId}/assessments/initial`, { row_version: '2', ...ratings(INITIAL_ITEMS, 'low') });
    expect(refused.statusCode).toBe(403);
    expect(auditActions(t.db)).toContainEqual({ action: 'case.read', outcome: 'refused', entity_type: 'case', entity_id: String(caseId) });
    expect(assessmentsOf(caseId)).toEqual([]);
  });

  it('answers htmx with the updated case body in place', async () => {
    const caseId = openCase();
    drive(caseId, 'TAKE');
    const response = await post(worker, `/cases/${caseId}/assessments/initial`, { row_version: '2', ...ratings(INITIAL_ITEMS, 'medium') }, { 'hx-request': 'true' });
    expect(response.statusCode).toBe(200);
    expect(response.body.trimStart().startsWith('<div id="case-body"')).toBe(true);
    expect(response.body).toContain('Đã lưu đánh giá nguy cơ ban đầu.');
    // Medium everywhere but no high item: medium.
    expect(caseRow(caseId).risk).toBe('medium');
  });
});

describe('needs meeting and detailed assessment (Mẫu 03)', () => {
  it('requires the needs meeting before the assessment can be completed', async () => {
    const caseId = openCase();
    drive(caseId, 'TAKE', 'DECIDE_INTERVENTION');
    const before = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(before.body).toContain(`action="/cases/${caseId}/needs-meeting"`);
    expect(before.body).not.toContain(`action="/cases/${caseId}/assessments/detailed"`);
    expect(before.body).toContain('Cần ghi nhận cuộc họp đánh giá nhu cầu trước khi hoàn thành đánh giá chi tiết.');
    // The simple workflow buttons are gone: these steps have their own forms.
    expect(before.body).not.toContain('name="event" value="RECORD_NEEDS_MEETING"');
    expect(before.body).not.toContain('name="event" value="COMPLETE_ASSESSMENT"');

    const early = await post(worker, `/cases/${caseId}/assessments/detailed`, { row_version: '3', ...ratings(DETAILED_ITEMS, 'low'), needs: 'Hỗ trợ tâm lý' });
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('Không thể thực hiện việc này ở giai đoạn hiện tại');
    expect(early.body).toContain('Hỗ trợ tâm lý');
    expect(auditActions(t.db)).toContainEqual({ action: 'case.work', outcome: 'refused', entity_type: 'case', entity_id: String(caseId) });
    expect(assessmentsOf(caseId)).toEqual([]);
    expect(caseRow(caseId).state).toBe('detailedAssessment');
  });

  it('records the meeting, then completes the assessment into planning, each as one timeline entry', async () => {
    const caseId = openCase();
    drive(caseId, 'TAKE', 'DECIDE_INTERVENTION');
    const participants = 'Mẹ của cháu; cô giáo chủ nhiệm; cán bộ Trung tâm CTXH';

    const incomplete = await post(worker, `/cases/${caseId}/needs-meeting`, { row_version: '3', held_at: '2026-03-10T09:00', participants, minutes: '' });
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.body).toContain('id="needs_meeting-minutes-error"');
    expect(incomplete.body).toContain(participants);

    const minutes = 'Thống nhất đưa cháu đi khám và tư vấn tâm lý.';
    const met = await post(worker, `/cases/${caseId}/needs-meeting`, { row_version: '3', held_at: '2026-03-10T09:00', participants, minutes });
    expect(met.statusCode).toBe(303);
    expect(t.db.$client.prepare('SELECT held_at, participants, minutes FROM needs_meetings WHERE case_id = ?').all(caseId)).toEqual([
      { held_at: '2026-03-10T02:00:00.000Z', participants, minutes },
    ]);
    const meetingEntries = timelineOf(caseId).filter((entry) => entry.event_type === 'RECORD_NEEDS_MEETING');
    expect(meetingEntries).toEqual([
      { kind: 'state_change', event_type: 'RECORD_NEEDS_MEETING', detail: JSON.stringify({ step: 'needs_meeting', heldAt: '2026-03-10T02:00:00.000Z' }) },
    ]);
    expect(timelineOf(caseId).filter((entry) => entry.kind === 'needs_meeting')).toEqual([]);
    expect(auditActions(t.db)).toContainEqual({ action: 'case.event.RECORD_NEEDS_MEETING', outcome: 'allowed', entity_type: 'case', entity_id: String(caseId) });

    const page = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(page.body).toContain(minutes);
    expect(page.body).toContain('10/03/2026 09:00');
    expect(page.body).toContain(`action="/cases/${caseId}/assessments/detailed"`);

    const noNeeds = await post(worker, `/cases/${caseId}/assessments/detailed`, { row_version: '4', ...ratings(DETAILED_ITEMS, 'low'), summary: 'Gia đình hợp tác' });
    expect(noNeeds.statusCode).toBe(400);
    expect(noNeeds.body).toContain('id="assessment_detailed-needs-error"');
    expect(noNeeds.body).toContain('Gia đình hợp tác');

    const needs = 'Khám sức khỏe; tư vấn tâm lý; hỗ trợ học bù.';
    const done = await post(worker, `/cases/${caseId}/assessments/detailed`, {
      row_version: '4',
      ...ratings(DETAILED_ITEMS, 'low', { home_safety_obstacles: 'high' }),
      needs,
    });
    expect(done.statusCode).toBe(303);
    expect(caseRow(caseId)).toEqual({ state: 'planning', version: 5, risk: 'medium' });
    expect(assessmentsOf(caseId)).toMatchObject([{ kind: 'detailed', overall_risk: 'medium', needs, summary: null }]);
    expect(riskChanges(caseId)).toEqual([{ entity: 'case', field: 'riskLevel', old_value: null, new_value: 'medium' }]);
    expect(timelineOf(caseId).at(-1)).toEqual({
      kind: 'state_change',
      event_type: 'COMPLETE_ASSESSMENT',
      detail: JSON.stringify({ step: 'assessment_detailed', overallRisk: 'medium' }),
    });
    expect(auditActions(t.db)).toContainEqual({ action: 'case.event.COMPLETE_ASSESSMENT', outcome: 'allowed', entity_type: 'case', entity_id: String(caseId) });

    const planning = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(planning.body).toContain('Đánh giá chi tiết (Mẫu 03)');
    expect(planning.body).toContain(needs);
    expect(planning.body).not.toContain(`action="/cases/${caseId}/needs-meeting"`);
  });

  it('refuses a worker of another commune (403, audited)', async () => {
    const caseId = openCase();
    drive(caseId, 'TAKE', 'DECIDE_SUPPORT');
    const other = await login(t.app, t.db, 'canbo.b');
    const refused = await post(other, `/cases/${caseId}/needs-meeting`, { row_version: '3', held_at: '2026-03-10T09:00', participants: 'A', minutes: 'B' });
    expect(refused.statusCode).toBe(403);
    expect(auditActions(t.db)).toContainEqual({ action: 'case.read', outcome: 'refused', entity_type: 'case', entity_id: String(caseId) });
    expect(caseRow(caseId).version).toBe(3);
  });
});
