// The whole casework path of the demo, role by role, in headless Chromium: a hotline call becomes an
// emergency, is assessed, planned (returned once, then approved), referred to the social work centre,
// served and followed up, reviewed and closed, and its plan printed as Mẫu 04. After every step the
// case's state is read from the database and its timeline from the case page.
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/verify.js';
import { translator } from '../../src/i18n/i18n.js';
import { browserAvailable, demoInBrowser, signedIn } from './harness.js';

const vn = translator('vi');
const DESKTOP = { width: 1280, height: 900 };

const CHILD = 'Đinh Thị Ngọc Hân';
const DANGER_NOTE = 'Trẻ bị cha dượng đánh, hiện ở một mình tại nhà, có vết thương ở đầu.';
const EMERGENCY_MEASURES = 'Đưa trẻ đến trạm y tế phường sơ cứu; tạm thời đưa trẻ về ở với bà ngoại.';
const GOALS_V1 = 'Trẻ được an toàn, không còn bị bạo lực trong gia đình.';
const GOALS_V2 = 'Trẻ được an toàn, không còn bị bạo lực; mẹ được hướng dẫn kỹ năng bảo vệ con trong 3 tháng.';
const REJECTION = 'Kế hoạch chưa nêu rõ ai hỗ trợ mẹ của trẻ; bổ sung biện pháp cho gia đình.';
const MEASURE_1 = 'Tư vấn tâm lý cho trẻ hằng tuần tại Trung tâm.';
const MEASURE_2 = 'Bố trí chỗ ở an toàn tại nhà bà ngoại, cán bộ phường kiểm tra hằng tuần.';
const MEASURE_2_REVISED = 'Bố trí chỗ ở an toàn tại nhà bà ngoại; hướng dẫn mẹ kỹ năng bảo vệ con, cán bộ phường kiểm tra hằng tuần.';
const DECISION_NUMBER = '27/QĐ-UBND';
const SERVICE = 'Tư vấn tâm lý cá nhân cho trẻ, 4 buổi.';
const VISIT_NOTES = 'Trẻ đã đi học lại, ăn ngủ bình thường, bà ngoại chăm sóc chu đáo.';

/** A calendar date in Viet Nam, `days` from today, as <input type="date"> takes it. */
function dateIn(days: number): string {
  return new Date(Date.now() + 7 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Submits a form (plain or htmx-enhanced) by clicking its button and waits for the server's answer:
 * 200 (htmx re-renders the case body) or 303 (a plain post redirected). Anything else fails with
 * what the page said, so a refused step names itself.
 */
async function submit(page: Page, form: Locator, button: Locator = form.locator('button[type=submit]').last()): Promise<void> {
  const action = await form.getAttribute('action');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === action),
    button.click(),
  ]);
  if (![200, 303].includes(response.status())) {
    const body = await response.text().catch(() => '');
    const said = body.match(/<div class="error-summary"[\s\S]*?<\/div>/)?.[0] ?? body.slice(0, 2000);
    throw new Error(`POST ${action} answered ${response.status()}: ${said}`);
  }
  const location = response.headers().location;
  if (response.status() === 303 && location) await page.waitForURL(new URL(location, response.url()).href);
  await page.waitForLoadState('domcontentloaded');
}

/** Opens a closed <details> form (at 360 px its fields are hidden until then). */
async function open(details: Locator): Promise<void> {
  if ((await details.getAttribute('open')) === null) await details.locator('summary').first().click();
}

/** Rates every risk item of an assessment form the same. */
async function rateAll(form: Locator, level: 'high' | 'medium' | 'low'): Promise<number> {
  const items = form.locator('fieldset.risk-rating');
  const count = await items.count();
  for (let i = 0; i < count; i++) await items.nth(i).locator(`input[type=radio][value="${level}"]`).check();
  return count;
}

describe.skipIf(!browserAvailable)('a case from the hotline to closure, role by role, in the browser', () => {
  const demo = demoInBrowser(120_000);

  it('hotline → emergency → assessment → plan (returned, approved) → referral → service and visit → review → closure → Mẫu 04', async () => {
    const { baseUrl, seed, database } = demo.server;
    const sqlite = database.db.$client;
    const caseState = (id: number): string => (sqlite.prepare('SELECT state FROM cases WHERE id = ?').get(id) as { state: string }).state;

    let caseId = 0;
    let timelineLength = 0;
    /** The case page's timeline, as `page` sees it: one text per entry, oldest first. */
    const timeline = async (page: Page): Promise<string[]> => {
      const response = await page.goto(`${baseUrl}/cases/${caseId}`);
      expect(response?.status()).toBe(200);
      return page.locator('.case-timeline ol.timeline > li').allTextContents();
    };
    /** After a step: the case is in `state`, and the timeline gained exactly `entries`, in order, each containing its texts. */
    const expectStep = async (page: Page, state: string, entries: string[][]): Promise<void> => {
      expect(caseState(caseId)).toBe(state);
      const now = await timeline(page);
      const added = now.slice(timelineLength);
      expect(added, `timeline entries added: ${added.join(' | ')}`).toHaveLength(entries.length);
      entries.forEach((texts, index) => {
        for (const text of texts) expect(added[index]).toContain(text);
      });
      timelineLength = now.length;
      // The page shows the state the database holds; on a phone it fits the screen at every step.
      expect(await page.locator('.case-header .case-state').textContent()).toBe(vn(`caseState.${state}` as never));
      const width = page.viewportSize()?.width ?? 0;
      if (width <= 360) expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    };

    // 1. Tổng đài 111 records a call about a child in Phường Kinh Bắc, in immediate danger.
    const operator = await signedIn(demo.browser, baseUrl, 'tongdai111', DESKTOP);
    await operator.page.goto(`${baseUrl}/hotline/calls/new`);
    await operator.page.locator('input[name="call_type"][value="about_child"]').check();
    await operator.page.fill('#child_name', CHILD);
    await operator.page.fill('#child_estimated_age', '9');
    await operator.page.selectOption('#residence_org_id', String(seed.orgs.kinhBac));
    await operator.page.fill('#description', 'Hàng xóm gọi báo nghe tiếng trẻ khóc thét, thấy trẻ chảy máu ở đầu.');
    await operator.page.locator('input[name="immediate_danger"][value="yes"]').check();
    await submit(operator.page, operator.page.locator('form[action="/hotline/calls"]:not(.quick-calls)'));
    const reference = (await operator.page.textContent('main'))?.match(/BV-\d{4}-\d{6}/)?.[0];
    expect(reference).toBeTruthy();
    caseId = (sqlite.prepare('SELECT id FROM cases WHERE reference = ?').get(reference) as { id: number }).id;
    expect(sqlite.prepare('SELECT org_id AS orgId, channel FROM cases WHERE id = ?').get(caseId)).toEqual({ orgId: seed.orgs.kinhBac, channel: 'hotline' });
    expect(operator.cspErrors).toEqual([]);
    await operator.context.close();

    // 2. The commune worker, on a phone, takes it from the triage queue and declares an emergency.
    const worker = await signedIn(demo.browser, baseUrl, 'canboxa');
    await expectStep(worker.page, 'intake', [[vn('caseTimeline.intake', { channel: vn('caseChannel.hotline') })]]);
    await worker.page.goto(`${baseUrl}/triage`);
    const queued = worker.page.locator('tr', { hasText: reference! });
    await expect.poll(() => queued.count()).toBe(1);
    expect(await queued.locator('.badge-emergency').count()).toBe(1);
    await submit(worker.page, queued.locator(`form[action="/cases/${caseId}/take"]`));
    expect(worker.page.url()).toBe(`${baseUrl}/cases/${caseId}?done=TAKE`);
    await expectStep(worker.page, 'verification', [[vn('caseEvent.TAKE'), 'Phạm Minh Tuấn']]);

    const actionForm = (event: string): Locator => worker.page.locator('details.action-form', { has: worker.page.locator(`input[name="event"][value="${event}"]`) });
    const declare = actionForm('DECLARE_EMERGENCY');
    await open(declare);
    await declare.locator('textarea[name="note"]').fill(DANGER_NOTE);
    await submit(worker.page, declare.locator('form'));
    await expectStep(worker.page, 'emergency', [[vn('caseEvent.DECLARE_EMERGENCY'), DANGER_NOTE]]);

    const measures = actionForm('RECORD_EMERGENCY_MEASURES');
    await open(measures);
    await measures.locator('textarea[name="measures"]').fill(EMERGENCY_MEASURES);
    await measures.locator('input[name="separation"]').check();
    await submit(worker.page, measures.locator('form'));
    await expectStep(worker.page, 'emergency', [[vn('caseEvent.RECORD_EMERGENCY_MEASURES'), EMERGENCY_MEASURES, vn('caseTimeline.separation')]]);

    // 3. The initial assessment (Mẫu 02), offered while the emergency is handled.
    const initial = worker.page.locator('form[action$="/assessments/initial"]');
    await open(worker.page.locator('details', { has: initial }));
    expect(await rateAll(initial, 'high')).toBeGreaterThan(0);
    await initial.locator('textarea[name="summary"]').fill('Nguy cơ cao: trẻ bị đánh vào đầu, người gây hại sống cùng nhà.');
    await submit(worker.page, initial);
    await expectStep(worker.page, 'emergency', [[vn('caseTimeline.kind_assessment_initial')]]);

    const intervene = actionForm('DECIDE_INTERVENTION');
    await open(intervene);
    await submit(worker.page, intervene.locator('form'));
    await expectStep(worker.page, 'detailedAssessment', [[vn('caseEvent.DECIDE_INTERVENTION')]]);

    const meeting = worker.page.locator('form[action$="/needs-meeting"]');
    await open(worker.page.locator('details', { has: meeting }));
    await meeting.locator('textarea[name="participants"]').fill('Cán bộ phường Phạm Minh Tuấn; mẹ của trẻ; bà ngoại; giáo viên chủ nhiệm.');
    await meeting.locator('textarea[name="minutes"]').fill('Thống nhất trẻ ở với bà ngoại; mẹ đồng ý tham gia tư vấn; nhà trường theo dõi việc học.');
    await submit(worker.page, meeting);
    await expectStep(worker.page, 'detailedAssessment', [[vn('caseEvent.RECORD_NEEDS_MEETING')]]);

    const detailed = worker.page.locator('form[action$="/assessments/detailed"]');
    await open(worker.page.locator('details', { has: detailed }));
    expect(await rateAll(detailed, 'medium')).toBeGreaterThan(0);
    await detailed.locator('textarea[name="needs"]').fill('Trẻ cần tư vấn tâm lý và chỗ ở an toàn; mẹ cần kỹ năng bảo vệ con.');
    await submit(worker.page, detailed);
    await expectStep(worker.page, 'planning', [[vn('caseEvent.COMPLETE_ASSESSMENT')]]);

    // 4. The plan: goals and two measures, each with who is responsible and when.
    const planForm = worker.page.locator('form.plan-form');
    await planForm.locator('textarea[name="goals"]').fill(GOALS_V1);
    const fillMeasure = async (index: number, kind: string, description: string, orgId: number, person: string, weeks: number): Promise<void> => {
      await planForm.locator(`select[name="m${index}_kind"]`).selectOption(kind);
      await planForm.locator(`textarea[name="m${index}_description"]`).fill(description);
      await planForm.locator(`select[name="m${index}_org"]`).selectOption(String(orgId));
      await planForm.locator(`input[name="m${index}_person"]`).fill(person);
      await planForm.locator(`input[name="m${index}_starts"]`).fill(dateIn(1));
      await planForm.locator(`input[name="m${index}_ends"]`).fill(dateIn(weeks * 7));
    };
    await fillMeasure(0, 'psychological_support', MEASURE_1, seed.orgs.socialWorkCentre, 'Vũ Thị Mai', 8);
    await fillMeasure(1, 'safe_shelter', MEASURE_2, seed.orgs.kinhBac, 'Phạm Minh Tuấn', 12);
    await submit(worker.page, planForm, planForm.locator('button[name="intent"][value="submit"]'));
    await expectStep(worker.page, 'awaitingApproval', [[vn('caseEvent.SUBMIT_PLAN')]]);
    expect(sqlite.prepare('SELECT version, status FROM plans WHERE case_id = ? ORDER BY version').all(caseId)).toEqual([{ version: 1, status: 'submitted' }]);

    // 5. The chairperson returns it with a comment; the worker revises (version 2); the chairperson approves it.
    const chair = await signedIn(demo.browser, baseUrl, 'chutichxa', DESKTOP);
    await chair.page.goto(`${baseUrl}/cases/${caseId}`);
    expect(await chair.page.locator('.plan-record').textContent()).toContain(MEASURE_2);
    const reject = chair.page.locator('form[action$="/plan/reject"]');
    await open(chair.page.locator('details', { has: reject }));
    await reject.locator('textarea[name="comment"]').fill(REJECTION);
    await submit(chair.page, reject);
    await expectStep(chair.page, 'planning', [[vn('caseEvent.REJECT_PLAN'), REJECTION, 'Đỗ Văn Thành']]);

    await worker.page.goto(`${baseUrl}/cases/${caseId}`);
    expect(await worker.page.locator('.plan-returned').textContent()).toContain(REJECTION);
    // The form starts from the returned version.
    expect(await planForm.locator('textarea[name="goals"]').inputValue()).toBe(GOALS_V1);
    expect(await planForm.locator('textarea[name="m1_description"]').inputValue()).toBe(MEASURE_2);
    await planForm.locator('textarea[name="goals"]').fill(GOALS_V2);
    await planForm.locator('textarea[name="m1_description"]').fill(MEASURE_2_REVISED);
    await submit(worker.page, planForm, planForm.locator('button[name="intent"][value="submit"]'));
    await expectStep(worker.page, 'awaitingApproval', [[vn('caseEvent.SUBMIT_PLAN')]]);

    await chair.page.goto(`${baseUrl}/cases/${caseId}`);
    const approve = chair.page.locator('form[action$="/plan/approve"]');
    await open(chair.page.locator('details', { has: approve }));
    await approve.locator('input[name="decision_number"]').fill(DECISION_NUMBER);
    await submit(chair.page, approve);
    await expectStep(chair.page, 'implementation', [[vn('caseEvent.APPROVE_PLAN')]]);
    expect(sqlite.prepare('SELECT version, status, goals, decision_number AS decisionNumber FROM plans WHERE case_id = ? ORDER BY version').all(caseId)).toEqual([
      { version: 1, status: 'rejected', goals: GOALS_V1, decisionNumber: null },
      { version: 2, status: 'approved', goals: GOALS_V2, decisionNumber: DECISION_NUMBER },
    ]);

    // 6. A referral to the province's social work centre, with consent; the centre accepts it.
    const centreName = 'Trung tâm Công tác xã hội tỉnh Bắc Ninh';
    await worker.page.goto(`${baseUrl}/cases/${caseId}`);
    const refer = worker.page.locator(`form[action="/cases/${caseId}/referrals"]`);
    await open(worker.page.locator('details', { has: refer }));
    await refer.locator('select[name="to_org_id"]').selectOption(String(seed.orgs.socialWorkCentre));
    await refer.locator('textarea[name="reason"]').fill('Trẻ cần tư vấn tâm lý chuyên sâu theo kế hoạch đã phê duyệt.');
    await refer.locator('input[name="consent"][value="both"]').check();
    await submit(worker.page, refer);
    await expectStep(worker.page, 'implementation', [[vn('caseTimeline.kind_referral', { commune: centreName })]]);

    const socialWorker = await signedIn(demo.browser, baseUrl, 'ctxh', DESKTOP);
    // Before accepting, the centre sees the referral but not the case file.
    expect((await socialWorker.page.goto(`${baseUrl}/cases/${caseId}`))?.status()).toBe(403);
    await socialWorker.page.goto(`${baseUrl}/referrals`);
    const pending = socialWorker.page.locator('li.referral-card', { hasText: reference! });
    await expect.poll(() => pending.count()).toBe(1);
    expect(await pending.textContent()).not.toContain(CHILD);
    await submit(socialWorker.page, pending.locator('form[action$="/accept"]'));
    await socialWorker.page.goto(`${baseUrl}/referrals`);
    await socialWorker.page.locator(`a[href="/cases/${caseId}"]`).click();
    await socialWorker.page.waitForURL(`${baseUrl}/cases/${caseId}`);
    await expectStep(socialWorker.page, 'implementation', [[vn('caseTimeline.kind_referral_accepted', { commune: centreName }), 'Vũ Thị Mai']]);
    expect(sqlite.prepare('SELECT status, consent FROM referrals WHERE case_id = ?').all(caseId)).toEqual([{ status: 'accepted', consent: 'both' }]);

    // 7. The social worker records a service with a due date and its delivery, then schedules a visit and records it.
    const sw = socialWorker.page;
    const addService = sw.locator(`form[action="/cases/${caseId}/services"]`);
    await open(sw.locator('details', { has: addService }));
    await addService.locator('select[name="kind"]').selectOption('psychological');
    await addService.locator('textarea[name="description"]').fill(SERVICE);
    expect(await addService.locator('select[name="provider_org_id"]').inputValue()).toBe(String(seed.orgs.socialWorkCentre));
    await addService.locator('input[name="due_on"]').fill(dateIn(14));
    await submit(sw, addService);
    await expectStep(sw, 'implementation', [[vn('caseTimeline.kind_service_added'), SERVICE]]);

    const implemented = sw.locator('form[action$="/implemented"]');
    await open(sw.locator('details', { has: implemented }));
    expect(await implemented.locator('input[name="implemented_on"]').inputValue()).toBe(dateIn(0));
    await submit(sw, implemented);
    await expectStep(sw, 'implementation', [[vn('caseTimeline.kind_service_implemented')]]);
    expect(sqlite.prepare('SELECT kind, due_on AS dueOn, implemented_on AS implementedOn, referral_id IS NOT NULL AS viaReferral FROM services WHERE case_id = ?').all(caseId)).toEqual([
      { kind: 'psychological', dueOn: dateIn(14), implementedOn: dateIn(0), viaReferral: 1 },
    ]);

    const schedule = sw.locator(`form[action="/cases/${caseId}/follow-ups"]`);
    await open(sw.locator('details', { has: schedule }));
    await schedule.locator('input[name="due_on"]').fill(dateIn(0));
    await submit(sw, schedule);
    await expectStep(sw, 'implementation', [[vn('caseTimeline.kind_follow_up_scheduled')]]);

    const visit = sw.locator('form[action$="/visit"]');
    await open(sw.locator('details', { has: visit }));
    await visit.locator('textarea[name="notes"]').fill(VISIT_NOTES);
    await submit(sw, visit);
    await expectStep(sw, 'implementation', [[vn('caseTimeline.kind_follow_up_visited'), VISIT_NOTES]]);
    expect(sqlite.prepare('SELECT assigned_user_id AS assignee, visited_on AS visitedOn FROM follow_ups WHERE case_id = ?').all(caseId)).toEqual([
      { assignee: seed.users.ctxh, visitedOn: dateIn(0) },
    ]);
    expect(socialWorker.cspErrors).toEqual([]);

    // 8. The worker starts the review and submits Mẫu 06, asking to close the case.
    await worker.page.goto(`${baseUrl}/cases/${caseId}`);
    await submit(worker.page, worker.page.locator('form', { has: worker.page.locator('input[name="event"][value="START_REVIEW"]') }));
    await expectStep(worker.page, 'review', [[vn('caseEvent.START_REVIEW')]]);

    const review = worker.page.locator(`form[action="/cases/${caseId}/review"]`);
    expect(await rateAll(review, 'low')).toBeGreaterThan(0);
    await review.locator('textarea[name="summary"]').fill('Trẻ an toàn, ổn định ở với bà ngoại; mẹ đã hoàn thành tư vấn.');
    await review.locator('input[name="outcome"][value="close"]').check();
    await submit(worker.page, review);
    await expectStep(worker.page, 'closureRequested', [[vn('caseEvent.REQUEST_CLOSURE')]]);

    // 9. The chairperson approves the closure.
    await chair.page.goto(`${baseUrl}/cases/${caseId}`);
    const close = chair.page.locator('form[action$="/closure/approve"]');
    await open(chair.page.locator('details', { has: close }));
    await submit(chair.page, close);
    await expectStep(chair.page, 'closed', [[vn('caseEvent.APPROVE_CLOSURE')]]);
    expect(chair.cspErrors).toEqual([]);
    await chair.context.close();
    await socialWorker.context.close();

    // 10. The worker prints the plan as Mẫu 04: motto header, goals, measures; the toolbar never prints.
    await worker.page.goto(`${baseUrl}/cases/${caseId}`);
    await Promise.all([worker.page.waitForURL(`${baseUrl}/cases/${caseId}/print/mau-04`), worker.page.locator(`a[href="/cases/${caseId}/print/mau-04"]`).click()]);
    const sheet = worker.page.locator('main.sheet');
    expect(await sheet.locator('.doc-nation').textContent()).toBe('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    const printed = (await sheet.textContent()) ?? '';
    for (const text of [reference!, GOALS_V2, MEASURE_1, MEASURE_2_REVISED, 'Vũ Thị Mai', centreName, 'Phường Kinh Bắc']) expect(printed).toContain(text);
    expect(printed).not.toContain(GOALS_V1);
    const tools = worker.page.locator('nav.print-tools');
    await expect.poll(() => worker.page.locator('button[data-print]').isVisible()).toBe(true);
    expect(await tools.locator('a').isVisible()).toBe(true);
    await worker.page.emulateMedia({ media: 'print' });
    expect(await tools.isHidden()).toBe(true);
    expect(await worker.page.locator('button[data-print]').isHidden()).toBe(true);
    expect(await tools.locator('a').isHidden()).toBe(true);
    expect(await sheet.isVisible()).toBe(true);
    expect(worker.cspErrors).toEqual([]);
    await worker.context.close();

    // The audit chain holds, and every step is on record against the case.
    expect(verifyAuditChain(database.db)).toMatchObject({ ok: true });
    const audited = (
      sqlite.prepare("SELECT action FROM audit_log WHERE entity_type = 'case' AND entity_id = ? AND outcome = 'allowed' ORDER BY id").all(String(caseId)) as { action: string }[]
    ).map((row) => row.action);
    const expected = [
      'case.create',
      'case.event.TAKE',
      'case.event.DECLARE_EMERGENCY',
      'case.event.RECORD_EMERGENCY_MEASURES',
      'case.assessment_initial',
      'case.event.DECIDE_INTERVENTION',
      'case.event.RECORD_NEEDS_MEETING',
      'case.event.COMPLETE_ASSESSMENT',
      'case.event.SUBMIT_PLAN',
      'case.event.REJECT_PLAN',
      'case.event.SUBMIT_PLAN',
      'case.event.APPROVE_PLAN',
      'referral.create',
      'referral.accept',
      'service.add',
      'service.implemented',
      'follow_up.schedule',
      'follow_up.visit',
      'case.event.START_REVIEW',
      'case.event.REQUEST_CLOSURE',
      'case.event.APPROVE_CLOSURE',
      'case.print.mau-04',
    ];
    // The steps appear in the order they were taken (reads such as case.view fall between them).
    const steps = audited.filter((action) => expected.includes(action));
    expect(steps).toEqual(expected);
    expect(audited).toContain('case.assessment_review');
    expect(audited).toContain('case.view');
  }, 180_000);
});
