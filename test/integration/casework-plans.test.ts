// The support and intervention plan (Mẫu 04) and its approval by decision (Mẫu 05): drafts, measure
// rows with and without JavaScript, submission, rejection with a comment, a new version, approval;
// who may do what, and what each step leaves in the timeline and the audit log.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT, type AuditContext } from '../../src/audit/log.js';
import { dateKeyInVietnam } from '../../src/calendar/working-days.js';
import { currentPlan, planVersion } from '../../src/casework/plans/repository.js';
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
let chairId: number;
let worker: Browser;

async function person(username: string, role: Role, orgId: number): Promise<{ actor: Actor; audit: AuditContext }> {
  const userId = await seedUser(t.db, username, [{ role, orgId }]);
  const assignment = activeAssignments(t.db, userId)[0]!;
  return {
    actor: { userId, assignmentId: assignment.id, role, orgId },
    audit: { actorUserId: userId, actorRole: role, actorOrgId: orgId, ip: null, requestId: null },
  };
}

/** A case of commune A driven through the service into planning (version 5). */
function caseInPlanning(): number {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'teacher',
      medium: 'in_person',
      receivedAt: new Date(Date.now() - 86_400_000).toISOString(),
      sourceOrgId: orgs.schoolA,
      child: { name: 'Lê Thị Hoa', estimatedAge: 10, sex: 'female' },
      residenceOrgId: orgs.communeA,
      description: 'Cháu đi làm thuê ở xưởng may sau giờ học, thường xuyên bỏ học.',
      immediateDanger: false,
      categories: ['abuse_violence_physical'],
      reporter: { consented: false },
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  for (const type of ['TAKE', 'DECIDE_SUPPORT', 'RECORD_NEEDS_MEETING', 'COMPLETE_ASSESSMENT'] as const) {
    const result = applyCaseEvent(t.db, t.app.orgRelations, workerA, opened.caseId, { type } as CaseCommand);
    if (!result.ok) throw new Error(`${type}: ${result.reason}`);
  }
  return opened.caseId;
}

function caseRow(id: number): { state: string; version: number } {
  return t.db.$client.prepare('SELECT state, row_version AS version FROM cases WHERE id = ?').get(id) as never;
}

function timelineOf(caseId: number): { kind: string; event_type: string | null; detail: Record<string, unknown> | null }[] {
  return (t.db.$client.prepare('SELECT kind, event_type, detail FROM case_timeline WHERE case_id = ? ORDER BY id').all(caseId) as { kind: string; event_type: string | null; detail: string | null }[]).map(
    (row) => ({ ...row, detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null }),
  );
}

function hasAudit(action: string, caseId: number, outcome = 'allowed'): boolean {
  return auditActions(t.db).some((entry) => entry.action === action && entry.outcome === outcome && entry.entity_id === String(caseId));
}

const post = (browser: Browser, url: string, payload: Record<string, string>, headers: Record<string, string> = {}) =>
  send(t.app, browser, { method: 'POST', url, payload, headers });

const GOALS = 'Cháu không phải đi làm thuê, trở lại lớp học đầy đủ.';
const SHELTER = 'Tư vấn cho gia đình về quy định lao động trẻ em.';
const SCHOOL = 'Giáo viên chủ nhiệm theo dõi chuyên cần hằng tuần.';

function planForm(over: Record<string, string> = {}): Record<string, string> {
  return {
    goals: GOALS,
    m0_kind: 'psychological_support',
    m0_description: SHELTER,
    m0_org: String(orgs.socialWorkCentre),
    m0_person: '',
    m0_starts: '2026-03-02',
    m0_ends: '2026-04-30',
    m1_kind: 'education_support',
    m1_description: SCHOOL,
    m1_org: '',
    m1_person: 'Cô Nguyễn Thu Hà, giáo viên chủ nhiệm',
    m1_starts: '2026-03-02',
    m1_ends: '2026-06-30',
    m2_kind: '',
    m2_description: '',
    m2_org: '',
    m2_person: '',
    m2_starts: '',
    m2_ends: '',
    ...over,
  };
}

beforeEach(async () => {
  t = await createTestApp();
  orgs = seedOrgs(t.db);
  workerA = await person('canbo.a', 'commune_worker', orgs.communeA);
  await seedUser(t.db, 'canbo.b', [{ role: 'commune_worker', orgId: orgs.communeB }]);
  chairId = await seedUser(t.db, 'chutich.a', [{ role: 'commune_chair', orgId: orgs.communeA }]);
  worker = await login(t.app, t.db, 'canbo.a');
});
afterEach(async () => t.close());

describe('support and intervention plan', () => {
  it('goes from draft to submission, rejection with a comment, a second version and approval by decision', async () => {
    const caseId = caseInPlanning();
    const empty = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(empty.body).toContain(`action="/cases/${caseId}/plan"`);
    expect(empty.body).toContain('id="plan-m2-kind"');
    expect(empty.body).not.toContain('id="plan-m3-kind"');
    expect(empty.body).toContain(`<option value="${orgs.socialWorkCentre}">Trung tâm Công tác xã hội tỉnh</option>`);
    expect(empty.body).toContain('Đang soạn phiên bản 1.');
    // The simple workflow buttons are gone: submission and decision have their own forms.
    expect(empty.body).not.toContain('name="event" value="SUBMIT_PLAN"');

    // A draft with one measure; the form then shows it and three blank rows.
    const draft = await post(worker, `/cases/${caseId}/plan`, { row_version: '5', intent: 'draft', ...planForm({ m1_kind: '', m1_description: '', m1_person: '', m1_starts: '', m1_ends: '' }) });
    expect(draft.statusCode).toBe(303);
    expect(currentPlan(t.db, caseId)).toMatchObject({ version: 1, status: 'draft', goals: GOALS, measures: [{ kind: 'psychological_support', responsibleOrgId: orgs.socialWorkCentre, startsOn: '2026-03-02', endsOn: '2026-04-30' }] });
    expect(timelineOf(caseId).at(-1)).toEqual({ kind: 'plan_draft', event_type: null, detail: { version: 1 } });
    expect(hasAudit('case.plan_draft', caseId)).toBe(true);
    expect(caseRow(caseId)).toEqual({ state: 'planning', version: 6 });
    const drafted = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(drafted.body).toContain(SHELTER);
    expect(drafted.body).toContain('id="plan-m3-kind"');
    expect(drafted.body).toContain('Lưu bản nháp kế hoạch hỗ trợ, can thiệp');

    // Submitted with two measures: the same version is saved and frozen.
    const submitted = await post(worker, `/cases/${caseId}/plan`, { row_version: '6', intent: 'submit', ...planForm() });
    expect(submitted.statusCode).toBe(303);
    expect(caseRow(caseId).state).toBe('awaitingApproval');
    const v1 = planVersion(t.db, caseId, 1)!;
    expect(v1).toMatchObject({ status: 'submitted', measures: [{ kind: 'psychological_support' }, { kind: 'education_support', responsibleOrgId: null, responsiblePerson: 'Cô Nguyễn Thu Hà, giáo viên chủ nhiệm' }] });
    expect(v1.submittedAt).not.toBeNull();
    expect(timelineOf(caseId).at(-1)).toEqual({ kind: 'state_change', event_type: 'SUBMIT_PLAN', detail: { step: 'plan_submitted', version: 1 } });
    expect(hasAudit('case.event.SUBMIT_PLAN', caseId)).toBe(true);

    // The worker sees the plan but no decision forms, and cannot decide.
    const waiting = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(waiting.body).toContain(SCHOOL);
    expect(waiting.body).not.toContain('/plan/approve');
    expect(waiting.body).not.toContain(`action="/cases/${caseId}/plan"`);
    expect((await post(worker, `/cases/${caseId}/plan/approve`, { row_version: '7', decision_number: '1/QĐ', decision_date: '2026-03-01' })).statusCode).toBe(403);
    expect(auditActions(t.db)).toContainEqual({ action: 'case.approve', outcome: 'refused', entity_type: null, entity_id: null });

    // The chairperson sees the plan in full and returns it with a comment.
    const chair = await login(t.app, t.db, 'chutich.a');
    const review = await send(t.app, chair, { url: `/cases/${caseId}` });
    expect(review.body).toContain(GOALS);
    expect(review.body).toContain(SHELTER);
    expect(review.body).toContain('Trung tâm Công tác xã hội tỉnh');
    expect(review.body).toContain('Cô Nguyễn Thu Hà, giáo viên chủ nhiệm');
    expect(review.body).toContain('02/03/2026 – 30/04/2026');
    expect(review.body).toContain(`action="/cases/${caseId}/plan/approve"`);
    expect(review.body).toContain(`action="/cases/${caseId}/plan/reject"`);

    const blank = await post(chair, `/cases/${caseId}/plan/reject`, { row_version: '7', comment: '  ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('id="plan_reject-comment-error"');
    const comment = 'Bổ sung biện pháp hỗ trợ kinh tế cho gia đình.';
    const rejected = await post(chair, `/cases/${caseId}/plan/reject`, { row_version: '7', comment });
    expect(rejected.statusCode).toBe(303);
    expect(caseRow(caseId).state).toBe('planning');
    expect(planVersion(t.db, caseId, 1)).toMatchObject({ status: 'rejected', decisionComment: comment, decidedBy: chairId });
    expect(timelineOf(caseId).at(-1)).toEqual({ kind: 'state_change', event_type: 'REJECT_PLAN', detail: { step: 'plan_rejected', version: 1, comment } });
    expect(hasAudit('case.event.REJECT_PLAN', caseId)).toBe(true);

    // Version 1 stays readable, and its reading is audited.
    const old = await send(t.app, worker, { url: `/cases/${caseId}/plans/1` });
    expect(old.statusCode).toBe(200);
    expect(old.body).toContain('Kế hoạch phiên bản 1');
    expect(old.body).toContain('Bị trả lại');
    expect(old.body).toContain(comment);
    expect(old.body).toContain(SHELTER);
    expect(hasAudit('case.plan_view', caseId)).toBe(true);
    expect((await send(t.app, worker, { url: `/cases/${caseId}/plans/9` })).statusCode).toBe(404);

    // The worker starts version 2 from the rejected one and submits it.
    const replanning = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(replanning.body).toContain('Chủ tịch UBND cấp xã đã trả lại phiên bản 1.');
    expect(replanning.body).toContain(comment);
    expect(replanning.body).toContain('Đang soạn phiên bản 2.');
    expect(replanning.body).toContain(SCHOOL);
    expect(replanning.body).toContain(`href="/cases/${caseId}/plans/1"`);
    const v2 = await post(worker, `/cases/${caseId}/plan`, {
      row_version: '8',
      intent: 'submit',
      ...planForm({ m2_kind: 'other', m2_description: 'Hỗ trợ vay vốn ưu đãi cho gia đình.', m2_org: String(orgs.communeA), m2_starts: '2026-03-15', m2_ends: '2026-05-15' }),
    });
    expect(v2.statusCode).toBe(303);
    expect(caseRow(caseId).state).toBe('awaitingApproval');
    expect(planVersion(t.db, caseId, 1)!.status).toBe('rejected');
    expect(currentPlan(t.db, caseId)).toMatchObject({ version: 2, status: 'submitted' });
    expect(currentPlan(t.db, caseId)!.measures).toHaveLength(3);

    // Approval by decision: number and date, not in the future.
    const today = dateKeyInVietnam(new Date());
    const noNumber = await post(chair, `/cases/${caseId}/plan/approve`, { row_version: '9', decision_number: '', decision_date: today });
    expect(noNumber.statusCode).toBe(400);
    expect(noNumber.body).toContain('id="plan_approve-decision_number-error"');
    expect(noNumber.body).toContain(`value="${today}"`);
    const future = await post(chair, `/cases/${caseId}/plan/approve`, { row_version: '9', decision_number: '15/QĐ-UBND', decision_date: '2099-01-01' });
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('Ngày không được ở trong tương lai.');
    expect(future.body).toContain('15/QĐ-UBND');

    const approved = await post(chair, `/cases/${caseId}/plan/approve`, { row_version: '9', decision_number: '15/QĐ-UBND', decision_date: '2026-03-05' });
    expect(approved.statusCode).toBe(303);
    expect(caseRow(caseId).state).toBe('implementation');
    expect(currentPlan(t.db, caseId)).toMatchObject({
      version: 2,
      status: 'approved',
      decisionNumber: '15/QĐ-UBND',
      decidedBy: chairId,
      decidedAt: '2026-03-04T17:00:00.000Z',
    });
    expect(timelineOf(caseId).at(-1)).toEqual({
      kind: 'state_change',
      event_type: 'APPROVE_PLAN',
      detail: { step: 'plan_approved', version: 2, decisionNumber: '15/QĐ-UBND', decisionDate: '2026-03-05' },
    });
    expect(hasAudit('case.event.APPROVE_PLAN', caseId)).toBe(true);
    const implemented = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(implemented.body).toContain('Số 15/QĐ-UBND, ngày 05/03/2026');
    expect(implemented.body).not.toContain(`action="/cases/${caseId}/plan"`);

    // Every step is on the timeline exactly once.
    expect(timelineOf(caseId).map((entry) => entry.event_type ?? entry.kind).slice(-6)).toEqual(['COMPLETE_ASSESSMENT', 'plan_draft', 'SUBMIT_PLAN', 'REJECT_PLAN', 'SUBMIT_PLAN', 'APPROVE_PLAN']);
  });

  it('keeps the input on a validation error and on a stale version', async () => {
    const caseId = caseInPlanning();
    const invalid = await post(worker, `/cases/${caseId}/plan`, {
      row_version: '5',
      intent: 'submit',
      ...planForm({ m1_person: '', m1_ends: '2026-02-01' }),
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('id="plan-m1-org-error"');
    expect(invalid.body).toContain('Vui lòng chọn cơ quan, tổ chức hoặc ghi người chịu trách nhiệm.');
    expect(invalid.body).toContain('id="plan-m1-ends-error"');
    expect(invalid.body).toContain(SCHOOL);
    expect(invalid.body).toContain(GOALS);
    expect(currentPlan(t.db, caseId)).toBeNull();

    const nothing = await post(worker, `/cases/${caseId}/plan`, { row_version: '5', intent: 'submit', goals: GOALS, m0_kind: '', m0_description: '' });
    expect(nothing.statusCode).toBe(400);
    expect(nothing.body).toContain('Kế hoạch trình phê duyệt cần ít nhất một biện pháp.');

    const stale = await post(worker, `/cases/${caseId}/plan`, { row_version: '4', intent: 'draft', ...planForm() });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Người khác vừa thay đổi trường hợp này');
    expect(stale.body).toContain(GOALS);
    expect(stale.body).toContain(SHELTER);
    expect(currentPlan(t.db, caseId)).toBeNull();
    expect(caseRow(caseId)).toEqual({ state: 'planning', version: 5 });
  });

  it('adds measure rows without JavaScript (nothing saved) and one at a time with htmx; removes a measure', async () => {
    const caseId = caseInPlanning();
    const more = await post(worker, `/cases/${caseId}/plan`, { intent: 'rows', rows: '3', ...planForm() });
    expect(more.statusCode).toBe(200);
    expect(more.body).toContain('id="plan-m5-kind"');
    expect(more.body).not.toContain('id="plan-m6-kind"');
    expect(more.body).toContain(SHELTER);
    expect(more.body).toContain('name="rows" value="6"');
    expect(currentPlan(t.db, caseId)).toBeNull();

    const row = await send(t.app, worker, { url: `/cases/${caseId}/plan/measure-row?index=3`, headers: { 'hx-request': 'true' } });
    expect(row.statusCode).toBe(200);
    expect(row.body).not.toContain('<html');
    expect(row.body).toContain('id="plan-m3"');
    expect(row.body).toContain('name="m3_kind"');
    expect(row.body).toMatch(/id="plan-add-rows"[^>]*hx-get="\/cases\/\d+\/plan\/measure-row\?index=4"[^>]*hx-swap-oob="true"/);
    expect((await send(t.app, worker, { url: `/cases/${caseId}/plan/measure-row?index=99`, headers: { 'hx-request': 'true' } })).statusCode).toBe(400);

    await post(worker, `/cases/${caseId}/plan`, { row_version: '5', intent: 'draft', ...planForm() });
    expect(currentPlan(t.db, caseId)!.measures).toHaveLength(2);
    const removed = await post(worker, `/cases/${caseId}/plan`, { row_version: '6', intent: 'draft', ...planForm({ m0_remove: '1' }) });
    expect(removed.statusCode).toBe(303);
    expect(currentPlan(t.db, caseId)).toMatchObject({ version: 1, status: 'draft', measures: [{ kind: 'education_support' }] });
  });

  it('refuses a worker of another commune (403, audited) and an organisation outside the province', async () => {
    const caseId = caseInPlanning();
    const other = await login(t.app, t.db, 'canbo.b');
    expect((await post(other, `/cases/${caseId}/plan`, { row_version: '5', intent: 'draft', ...planForm() })).statusCode).toBe(403);
    expect((await send(t.app, other, { url: `/cases/${caseId}/plans/1` })).statusCode).toBe(403);
    expect(auditActions(t.db).filter((entry) => entry.action === 'case.read' && entry.outcome === 'refused' && entry.entity_id === String(caseId))).toHaveLength(2);

    const outside = await post(worker, `/cases/${caseId}/plan`, { row_version: '5', intent: 'draft', ...planForm({ m0_org: '999999' }) });
    expect(outside.statusCode).toBe(400);
    expect(outside.body).toContain('id="plan-m0-org-error"');
    expect(currentPlan(t.db, caseId)).toBeNull();
  });

  it("offers the case's commune, its schools and the province's bodies, and keeps what an earlier version named", async () => {
    const caseId = caseInPlanning();
    const orgOptions = async (): Promise<number[]> => {
      const page = await send(t.app, worker, { url: `/cases/${caseId}` });
      const select = /<select id="plan-m0-org"[\s\S]*?<\/select>/.exec(page.body)?.[0] ?? '';
      return [...select.matchAll(/<option value="(\d+)"/g)].map((match) => Number(match[1]));
    };
    expect((await orgOptions()).sort((a, b) => a - b)).toEqual([orgs.province, orgs.communeA, orgs.schoolA, orgs.socialWorkCentre, orgs.hotline].sort((a, b) => a - b));
    // Another commune's school is refused until a version of this plan names it.
    expect((await post(worker, `/cases/${caseId}/plan`, { row_version: '5', intent: 'draft', ...planForm({ m0_org: String(orgs.schoolB) }) })).statusCode).toBe(400);
    const planId = Number(
      t.db.$client
        .prepare("INSERT INTO plans (case_id, version, goals, status, created_by) VALUES (?, 1, ?, 'rejected', ?)")
        .run(caseId, GOALS, workerA.actor.userId).lastInsertRowid,
    );
    t.db.$client
      .prepare("INSERT INTO plan_measures (plan_id, kind, description, responsible_org_id) VALUES (?, 'education_support', 'Học bù', ?)")
      .run(planId, orgs.schoolB);
    expect(await orgOptions()).toContain(orgs.schoolB);
    expect((await post(worker, `/cases/${caseId}/plan`, { row_version: '5', intent: 'draft', ...planForm({ m0_org: String(orgs.schoolB) }) })).statusCode).toBe(303);
    expect(currentPlan(t.db, caseId)).toMatchObject({ version: 2, measures: [{ responsibleOrgId: orgs.schoolB }, { kind: 'education_support' }] });
  });

  it('answers htmx with the updated case body in place', async () => {
    const caseId = caseInPlanning();
    const response = await post(worker, `/cases/${caseId}/plan`, { row_version: '5', intent: 'submit', ...planForm() }, { 'hx-request': 'true' });
    expect(response.statusCode).toBe(200);
    expect(response.body.trimStart().startsWith('<div id="case-body"')).toBe(true);
    expect(response.body).toContain('Đã trình kế hoạch để phê duyệt.');
    expect(caseRow(caseId).state).toBe('awaitingApproval');
  });
});
