// Printable legal forms (Mẫu 01–07): filled from the case's records, laid out like the official
// templates, always in Vietnamese, audited per form, and only for people who may read the case.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { writeTransaction } from '../../src/db/client.js';
import { vi } from '../../src/i18n/vi.js';
import { createIntake, type IntakeInput } from '../../src/intake/service.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

let t: TestApp;
let orgs: TestOrgs;
let workerId: number;

function openCase(reporter: IntakeInput['reporter']): number {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'hotline',
      medium: 'phone',
      receivedAt: '2026-03-05T02:30:00.000Z',
      sourceOrgId: orgs.hotline,
      child: { name: 'Nguyễn Thị Hoa', birthDate: '2016-09-01', sex: 'female' },
      residenceOrgId: orgs.communeA,
      incidentPlace: 'Khu nhà trọ công nhân',
      description: 'Cháu bị cha dượng đánh, có vết bầm ở lưng.',
      currentCondition: 'Cháu sợ hãi, không dám về nhà.',
      likelyConsequence: 'Tiếp tục bị bạo lực.',
      parentsInfo: 'Mẹ: Trần Thị Lan, 32 tuổi, công nhân',
      caregiver: 'Bà ngoại',
      immediateDanger: true,
      categories: ['abuse_violence_physical'],
      reporter,
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return opened.caseId;
}

function addApprovedPlan(caseId: number): void {
  const db = t.db.$client;
  const chairId = (db.prepare("SELECT id FROM users WHERE username = 'chutich.a'").get() as { id: number }).id;
  const planId = Number(
    db
      .prepare(
        `INSERT INTO plans (case_id, version, goals, status, created_by, created_at, submitted_at, decided_by, decided_at, decision_number)
         VALUES (?, 1, ?, 'approved', ?, '2026-03-08T02:00:00.000Z', '2026-03-08T03:00:00.000Z', ?, '2026-03-09T03:00:00.000Z', '12/QĐ-UBND')`,
      )
      .run(caseId, 'Bảo đảm an toàn cho cháu tại nhà bà ngoại; cháu đi học trở lại.', workerId, chairId).lastInsertRowid,
  );
  const measure = db.prepare(
    'INSERT INTO plan_measures (plan_id, kind, description, responsible_org_id, responsible_person, starts_on, ends_on) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  measure.run(planId, 'Hỗ trợ tâm lý', 'Tư vấn tâm lý hằng tuần cho cháu', orgs.socialWorkCentre, 'Vũ Thị Mai', '2026-03-10', '2026-04-10');
  measure.run(planId, 'Chăm sóc thay thế', 'Cháu ở với bà ngoại', null, 'Bà ngoại', '2026-03-10', null);
  db.prepare("UPDATE cases SET state = 'implementation', risk_level = 'high' WHERE id = ?").run(caseId);
}

describe('printable forms', () => {
  let worker: Browser;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    workerId = await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    await seedUser(t.db, 'chutich.a', [{ role: 'commune_chair', orgId: orgs.communeA }]);
    await seedUser(t.db, 'canbo.b', [{ role: 'commune_worker', orgId: orgs.communeB }]);
    await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    worker = await login(t.app, t.db, 'canbo.a');
  });
  afterEach(async () => t.close());

  it('prints Mẫu 04 with the motto header, the issuing commune, the goals and the measures table', async () => {
    const caseId = openCase({ consented: false });
    addApprovedPlan(caseId);
    const page = await send(t.app, worker, { url: `/cases/${caseId}/print/mau-04` });
    expect(page.statusCode).toBe(200);
    const html = page.body;
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(html).toContain('Độc lập - Tự do - Hạnh phúc');
    expect(html).toContain('ỦY BAN NHÂN DÂN');
    expect(html).toContain('XÃ AN BÌNH');
    expect(html).toContain('Mẫu số 04');
    expect(html).toContain('Kế hoạch hỗ trợ, can thiệp đối với trẻ em');
    expect(html).toContain('Xã An Bình, ngày 08 tháng 03 năm 2026');
    expect(html).toContain('Bảo đảm an toàn cho cháu tại nhà bà ngoại; cháu đi học trở lại.');
    expect(html).toContain('Tư vấn tâm lý hằng tuần cho cháu');
    expect(html).toContain('Trung tâm Công tác xã hội tỉnh');
    expect(html).toContain('Vũ Thị Mai');
    expect(html).toContain('Từ 10/03/2026 đến 10/04/2026');
    // Missing data prints as a dotted blank, like the paper form.
    expect(html).toContain('Từ 10/03/2026 đến …………………………');
    expect(html).toContain('Nguyễn Thị Hoa');
    expect(html).toContain('01/09/2016');
    expect(html).toContain('NGƯỜI LẬP BIỂU');
    expect(html).toContain('(Ký, ghi rõ họ tên)');
    expect(html).toContain('Người dùng canbo.a');
    // A print page of its own: no site navigation, the print stylesheet and script, no inline code.
    expect(html).not.toContain('class="site-nav"');
    expect(html).toContain('/static/print.css');
    expect(html).toContain('/static/print.js');
    expect(html).not.toMatch(/<script>|<style|style="/);
    expect(html).toContain(`href="/cases/${caseId}"`);
  });

  it('prints Mẫu 01 from the intake and leaves out a reporter who did not consent', async () => {
    const anonymous = openCase({ consented: false, relation: 'Hàng xóm', name: 'Bà Tư', phone: '0912345678' });
    // Even a row that somehow kept a name without consent prints no identity.
    t.db.$client.prepare("UPDATE intakes SET reporter_name = 'Ông Năm', reporter_phone = '0987000111' WHERE case_id = ?").run(anonymous);
    const page = await send(t.app, worker, { url: `/cases/${anonymous}/print/mau-01` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Mẫu số 01');
    expect(page.body).toContain('Cháu bị cha dượng đánh, có vết bầm ở lưng.');
    expect(page.body).toContain('Cháu sợ hãi, không dám về nhà.');
    expect(page.body).toContain('Mẹ: Trần Thị Lan, 32 tuổi, công nhân');
    expect(page.body).toContain('Khu nhà trọ công nhân');
    expect(page.body).toContain('Bà ngoại');
    expect(page.body).toContain('05/03/2026 09:30');
    expect(page.body).toContain('Người báo tin không đồng ý cung cấp danh tính');
    expect(page.body).toContain('Hàng xóm');
    for (const identity of ['Bà Tư', '0912345678', 'Ông Năm', '0987000111']) expect(page.body).not.toContain(identity);

    const consented = openCase({ consented: true, relation: 'Giáo viên', name: 'Cô Hạnh', phone: '0911222333', address: 'Trường Tiểu học An Bình' });
    const named = await send(t.app, worker, { url: `/cases/${consented}/print/mau-01` });
    expect(named.body).toContain('Cô Hạnh');
    expect(named.body).toContain('0911222333');
  });

  it('prints in Vietnamese whatever the reader’s language, with the toolbar in theirs', async () => {
    const caseId = openCase({ consented: false });
    t.db.$client.prepare("UPDATE users SET locale = 'en' WHERE id = ?").run(workerId);
    const page = await send(t.app, worker, { url: `/cases/${caseId}/print/mau-02` });
    expect(page.body).toContain('Báo cáo đánh giá nguy cơ ban đầu đối với trẻ em');
    expect(page.body).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(page.body).toContain('Back to the case');
    expect(page.body).not.toContain('SOCIALIST REPUBLIC');
  });

  it('prints the decision (Mẫu 05) with its number, the chairperson and the date of decision', async () => {
    const caseId = openCase({ consented: false });
    addApprovedPlan(caseId);
    const page = await send(t.app, worker, { url: `/cases/${caseId}/print/mau-05` });
    expect(page.body).toContain('Số: 12/QĐ-UBND');
    expect(page.body).toContain('CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ AN BÌNH');
    expect(page.body).toContain('Xã An Bình, ngày 09 tháng 03 năm 2026');
    expect(page.body).toContain('Người dùng chutich.a');
    expect(page.body).toContain('Căn cứ Nghị định số 56/2017/NĐ-CP');
  });

  it('prints blank forms for steps with no records yet, and Mẫu 07 from the recorded emergency measures', async () => {
    const caseId = openCase({ consented: false });
    const review = await send(t.app, worker, { url: `/cases/${caseId}/print/mau-06` });
    expect(review.statusCode).toBe(200);
    expect(review.body).toContain('ngày …… tháng …… năm ……');
    t.db.$client
      .prepare("INSERT INTO emergency_measures (case_id, taken_at, measures, temporary_separation, place_of_care, created_by) VALUES (?, '2026-03-05T05:00:00.000Z', 'Đưa cháu đến nhà bà ngoại', 1, 'Nhà bà ngoại', ?)")
      .run(caseId, workerId);
    const decision = await send(t.app, worker, { url: `/cases/${caseId}/print/mau-07` });
    expect(decision.body).toContain('Áp dụng biện pháp tạm thời cách ly trẻ em');
    expect(decision.body).toContain('Đưa cháu đến nhà bà ngoại');
    expect(decision.body).toContain('05/03/2026 12:00');
    expect(decision.body).toContain('Số: ……/QĐ-UBND');
  });

  it('prints the risk items of Mẫu 02 and the kinds of measure by their Vietnamese names, with the rating marked', async () => {
    const caseId = openCase({ consented: false });
    const items = JSON.stringify([
      { item: 'harm_severity', rating: 'high', note: 'Vết bầm nhiều nơi' },
      { item: 'abuser_access', rating: 'low', note: '' },
    ]);
    t.db.$client
      .prepare("INSERT INTO assessments (case_id, kind, items, overall_risk, summary, created_by) VALUES (?, 'initial', ?, 'high', 'Cần can thiệp', ?)")
      .run(caseId, items, workerId);
    const page = await send(t.app, worker, { url: `/cases/${caseId}/print/mau-02` });
    expect(page.body).toContain(vi['assessment.item.harm_severity']);
    expect(page.body).toContain(vi['assessment.item.abuser_access']);
    expect(page.body).not.toContain('harm_severity');
    expect(page.body).toContain('Vết bầm nhiều nơi');
    expect(page.body).toContain('Cần can thiệp');
    expect(page.body).toMatch(/☒ Cao/);

    addApprovedPlan(caseId);
    t.db.$client.prepare("UPDATE plan_measures SET kind = 'psychological_support' WHERE description = 'Tư vấn tâm lý hằng tuần cho cháu'").run();
    const plan = await send(t.app, worker, { url: `/cases/${caseId}/print/mau-04` });
    expect(plan.body).toContain(vi['plan.measure.psychological_support']);
    expect(plan.body).not.toContain('psychological_support');
  });

  it('audits each print with the form and the case', async () => {
    const caseId = openCase({ consented: false });
    await send(t.app, worker, { url: `/cases/${caseId}/print/mau-04` });
    await send(t.app, worker, { url: `/cases/${caseId}/print/mau-01` });
    const prints = auditActions(t.db).filter((entry) => entry.action.startsWith('case.print'));
    expect(prints).toEqual([
      { action: 'case.print.mau-04', outcome: 'allowed', entity_type: 'case', entity_id: String(caseId) },
      { action: 'case.print.mau-01', outcome: 'allowed', entity_type: 'case', entity_id: String(caseId) },
    ]);
  });

  it('refuses people who may not read the case, and answers 404 for an unknown form', async () => {
    const caseId = openCase({ consented: false });
    for (const username of ['canbo.b', 'quantri']) {
      const other = await login(t.app, t.db, username);
      const refused = await send(t.app, other, { url: `/cases/${caseId}/print/mau-01` });
      expect(refused.statusCode, username).toBe(403);
      expect(refused.body).not.toContain('Nguyễn Thị Hoa');
    }
    expect(auditActions(t.db).filter((entry) => entry.action.startsWith('case.print'))).toEqual([]);
    expect((await send(t.app, worker, { url: `/cases/${caseId}/print/mau-08` })).statusCode).toBe(404);
    expect((await send(t.app, worker, { url: '/cases/999999/print/mau-01' })).statusCode).toBe(404);
  });

  it('lists on the case page the forms the case has reached', async () => {
    const caseId = openCase({ consented: false });
    const fresh = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(fresh.body).toContain(`href="/cases/${caseId}/print/mau-01"`);
    expect(fresh.body).not.toContain(`/print/mau-04`);
    addApprovedPlan(caseId);
    const implementing = await send(t.app, worker, { url: `/cases/${caseId}` });
    for (const form of ['mau-01', 'mau-02', 'mau-03', 'mau-04', 'mau-05']) expect(implementing.body).toContain(`href="/cases/${caseId}/print/${form}"`);
    expect(implementing.body).not.toContain('/print/mau-06');
  });
});
