// Referrals to a social work centre: consent (and a supervisor's audited override), the receiving
// organisation's list and answer, and the access an accepted referral gives to that one case.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { pendingReferralsFor, referralsOf } from '../../src/casework/referrals/repository.js';
import { type CaseCommand } from '../../src/cases/service.js';
import { createOrganisation } from '../../src/orgs/repository.js';
import { advanceCase, openHotlineCase } from '../helpers/cases.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

let t: TestApp;
let orgs: TestOrgs;
let otherCentre: number;
const ids: Record<string, number> = {};

function openCase(childName: string): number {
  return openHotlineCase(t, orgs, { name: childName, birthDate: '2016-05-04', sex: 'female' }, 'Cháu bị người chăm sóc đánh nhiều lần, hàng xóm nghe tiếng khóc.');
}
function advance(caseId: number, commands: CaseCommand[]): void {
  advanceCase(t, { worker: ids.worker!, chair: ids.chair! }, caseId, commands);
}




const TO_PLANNING: CaseCommand[] = [{ type: 'TAKE' }, { type: 'DECIDE_SUPPORT' }, { type: 'RECORD_NEEDS_MEETING' }, { type: 'COMPLETE_ASSESSMENT' }];
const TO_IMPLEMENTATION: CaseCommand[] = [...TO_PLANNING, { type: 'SUBMIT_PLAN' }, { type: 'APPROVE_PLAN' }];

const REASON = 'Cần tư vấn tâm lý cho cháu sau nhiều lần bị đánh; gia đình cần hỗ trợ kỹ năng chăm sóc.';

function refer(browser: Browser, caseId: number, payload: Record<string, string>) {
  return send(t.app, browser, { method: 'POST', url: `/cases/${caseId}/referrals`, payload: { to_org_id: String(orgs.socialWorkCentre), reason: REASON, ...payload } });
}

function referralRows(caseId: number) {
  return t.db.$client.prepare('SELECT id, status, consent, override_reason AS overrideReason, overridden_by AS overriddenBy, decline_reason AS declineReason FROM referrals WHERE case_id = ?').all(caseId) as {
    id: number;
    status: string;
    consent: string;
    overrideReason: string | null;
    overriddenBy: number | null;
    declineReason: string | null;
  }[];
}

function timelineKinds(caseId: number): string[] {
  return (t.db.$client.prepare('SELECT kind FROM case_timeline WHERE case_id = ? ORDER BY id').all(caseId) as { kind: string }[]).map((row) => row.kind);
}

describe('referrals', () => {
  let worker: Browser;
  let caseId: number;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    otherCentre = createOrganisation(t.db, SYSTEM_AUDIT_CONTEXT, { name: 'Trung tâm Công tác xã hội số 2', kind: 'social_work_centre', parentId: orgs.province });
    ids.worker = await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    ids.chair = await seedUser(t.db, 'chutich.a', [{ role: 'commune_chair', orgId: orgs.communeA }]);
    ids.supervisor = await seedUser(t.db, 'giamsat', [{ role: 'supervisor', orgId: orgs.province }]);
    ids.socialWorker = await seedUser(t.db, 'ctxh.1', [{ role: 'social_worker', orgId: orgs.socialWorkCentre }]);
    ids.otherSocialWorker = await seedUser(t.db, 'ctxh.2', [{ role: 'social_worker', orgId: otherCentre }]);
    caseId = openCase('Nguyễn Thị Lan');
    advance(caseId, TO_IMPLEMENTATION);
    worker = await login(t.app, t.db, 'canbo.a');
  });
  afterEach(async () => t.close());

  it('refuses a commune worker’s referral without consent (400, input kept, refusal audited)', async () => {
    const refused = await refer(worker, caseId, { consent: 'none' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Chưa có sự đồng ý của trẻ hoặc người giám hộ nên không thể chuyển gửi.');
    expect(refused.body).toContain(REASON);
    expect(refused.body).toMatch(/<details class="action-form" open>\s*<summary>Chuyển gửi đến tổ chức cung cấp dịch vụ/);
    // A worker is not offered the override at all.
    expect(refused.body).not.toContain('name="override_reason"');
    expect(referralRows(caseId)).toEqual([]);
    expect(auditActions(t.db)).toContainEqual({ action: 'referral.consent_override', outcome: 'refused', entity_type: 'case', entity_id: String(caseId) });
  });

  it('lets a supervisor refer without consent only with a reason, stored with their name and audited', async () => {
    const supervisor = await login(t.app, t.db, 'giamsat');
    const page = await send(t.app, supervisor, { url: `/cases/${caseId}` });
    expect(page.body).toContain('name="override_reason"');

    const noReason = await refer(supervisor, caseId, { consent: 'none' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Vui lòng ghi lý do chuyển gửi khi chưa có sự đồng ý.');
    expect(referralRows(caseId)).toEqual([]);

    const override = 'Người giám hộ chính là người gây tổn hại; trẻ cần được tư vấn ngay.';
    const sent = await refer(supervisor, caseId, { consent: 'none', override_reason: override });
    expect(sent.statusCode).toBe(303);
    const [row] = referralRows(caseId);
    expect(row).toMatchObject({ status: 'pending', consent: 'none', overrideReason: override, overriddenBy: ids.supervisor });
    const audit = auditActions(t.db);
    expect(audit).toContainEqual({ action: 'referral.create', outcome: 'allowed', entity_type: 'case', entity_id: String(caseId) });
    expect(audit).toContainEqual({ action: 'referral.consent_override', outcome: 'allowed', entity_type: 'referral', entity_id: String(row!.id) });
    // The reason is in the record, never in the audit log.
    expect(JSON.stringify(t.db.$client.prepare('SELECT * FROM audit_log').all())).not.toContain(override);
    expect(timelineKinds(caseId)).toContain('referral');
    const after = await send(t.app, supervisor, { url: `/cases/${caseId}` });
    expect(after.body).toContain(override);
    expect(after.body).toContain('Người dùng giamsat');
  });

  it('shows the centre its pending referral without the case file; acceptance opens that case, and only that one', async () => {
    const otherCase = openCase('Trần Văn Minh');
    expect((await refer(worker, caseId, { consent: 'guardian' })).statusCode).toBe(303);
    const [referral] = referralRows(caseId);
    const reference = (t.db.$client.prepare('SELECT reference FROM cases WHERE id = ?').get(caseId) as { reference: string }).reference;

    const centre = await login(t.app, t.db, 'ctxh.1');
    const inbox = await send(t.app, centre, { url: '/referrals' });
    expect(inbox.statusCode).toBe(200);
    expect(inbox.body).toContain(reference);
    expect(inbox.body).toContain(REASON);
    expect(inbox.body).toContain('Xã An Bình');
    expect(inbox.body).not.toContain('Nguyễn Thị Lan');
    expect(inbox.body).not.toContain('hàng xóm nghe tiếng khóc');
    expect(inbox.body).not.toContain(`href="/cases/${caseId}"`);
    // The menu says how many wait.
    expect(inbox.body).toMatch(/Chuyển gửi mới <span class="nav-count">1<\/span>/);
    expect(pendingReferralsFor(t.db, orgs.socialWorkCentre).map((r) => r.reference)).toEqual([reference]);
    expect(auditActions(t.db)).toContainEqual({ action: 'referral.list', outcome: 'allowed', entity_type: null, entity_id: null });
    expect((await send(t.app, centre, { url: `/cases/${caseId}` })).statusCode).toBe(403);

    // Another centre neither sees nor answers it.
    const other = await login(t.app, t.db, 'ctxh.2');
    const otherInbox = await send(t.app, other, { url: '/referrals' });
    expect(otherInbox.body).not.toContain(reference);
    expect(otherInbox.body).toContain('Không có chuyển gửi nào đang chờ trả lời.');
    expect((await send(t.app, other, { method: 'POST', url: `/referrals/${referral!.id}/accept` })).statusCode).toBe(403);
    expect(auditActions(t.db)).toContainEqual({ action: 'referral.respond', outcome: 'refused', entity_type: 'referral', entity_id: String(referral!.id) });

    const accepted = await send(t.app, centre, { method: 'POST', url: `/referrals/${referral!.id}/accept` });
    expect(accepted.statusCode).toBe(303);
    expect(accepted.headers.location).toBe('/referrals?done=accepted');
    expect(referralRows(caseId)[0]!.status).toBe('accepted');
    expect(timelineKinds(caseId)).toContain('referral_accepted');
    expect(auditActions(t.db)).toContainEqual({ action: 'referral.accept', outcome: 'allowed', entity_type: 'case', entity_id: String(caseId) });
    const afterAccept = await send(t.app, centre, { url: '/referrals?done=accepted' });
    expect(afterAccept.body).toContain('Đã tiếp nhận chuyển gửi.');
    expect(afterAccept.body).toContain(`<a href="/cases/${caseId}">${reference}</a>`);
    expect(afterAccept.body).not.toMatch(/Chuyển gửi mới <span class="nav-count">/);

    // The social worker opens that case, and no other case of the commune.
    const casePage = await send(t.app, centre, { url: `/cases/${caseId}` });
    expect(casePage.statusCode).toBe(200);
    expect(casePage.body).toContain('Nguyễn Thị Lan');
    expect(casePage.body).toContain('Trung tâm Công tác xã hội tỉnh đồng ý tiếp nhận chuyển gửi');
    // …with the service and visit forms, but not the commune's referral form.
    expect(casePage.body).toContain(`action="/cases/${caseId}/services"`);
    expect(casePage.body).toContain(`action="/cases/${caseId}/follow-ups"`);
    expect(casePage.body).not.toContain(`action="/cases/${caseId}/referrals"`);
    expect((await send(t.app, centre, { url: `/cases/${otherCase}` })).statusCode).toBe(403);

    const service = await send(t.app, centre, {
      method: 'POST',
      url: `/cases/${caseId}/services`,
      payload: { kind: 'psychological', description: 'Tư vấn tâm lý 4 buổi tại trung tâm', provider_org_id: String(orgs.socialWorkCentre), due_on: '2099-06-01' },
    });
    expect(service.statusCode).toBe(303);
    expect(t.db.$client.prepare('SELECT referral_id AS referralId, provider_org_id AS providerOrgId FROM services WHERE case_id = ?').get(caseId)).toEqual({
      referralId: referral!.id,
      providerOrgId: orgs.socialWorkCentre,
    });
    const visit = await send(t.app, centre, { method: 'POST', url: `/cases/${caseId}/follow-ups`, payload: { due_on: '2099-06-15', assigned_user_id: String(ids.socialWorker) } });
    expect(visit.statusCode).toBe(303);
    expect(timelineKinds(caseId)).toEqual(expect.arrayContaining(['service_added', 'follow_up_scheduled']));

    // The other centre's social worker is refused the case and its services (403, audited).
    expect((await send(t.app, other, { url: `/cases/${caseId}` })).statusCode).toBe(403);
    expect(auditActions(t.db)).toContainEqual({ action: 'case.read', outcome: 'refused', entity_type: 'case', entity_id: String(caseId) });
    const refused = await send(t.app, other, { method: 'POST', url: `/cases/${caseId}/services`, payload: { kind: 'medical', description: 'Khám', due_on: '2099-06-01' } });
    expect(refused.statusCode).toBe(403);
    expect((t.db.$client.prepare('SELECT count(*) AS n FROM services').get() as { n: number }).n).toBe(1);
  });

  it('needs a reason to decline, and shows the commune why', async () => {
    await refer(worker, caseId, { consent: 'both' });
    const [referral] = referralRows(caseId);
    const centre = await login(t.app, t.db, 'ctxh.1');
    const missing = await send(t.app, centre, { method: 'POST', url: `/referrals/${referral!.id}/decline`, payload: { reason: '  ' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain(`id="decline-${referral!.id}-reason-error"`);
    expect(referralRows(caseId)[0]!.status).toBe('pending');

    const why = 'Trung tâm hiện không còn chuyên viên tâm lý; đề nghị chuyển đến bệnh viện tỉnh.';
    const declined = await send(t.app, centre, { method: 'POST', url: `/referrals/${referral!.id}/decline`, payload: { reason: why }, headers: { 'hx-request': 'true' } });
    expect(declined.statusCode).toBe(200);
    expect(declined.body).toContain('Đã từ chối chuyển gửi.');
    expect(referralRows(caseId)[0]).toMatchObject({ status: 'declined', declineReason: why });
    expect(auditActions(t.db)).toContainEqual({ action: 'referral.decline', outcome: 'allowed', entity_type: 'case', entity_id: String(caseId) });
    // Declining gives no access; answering twice is refused.
    expect((await send(t.app, centre, { url: `/cases/${caseId}` })).statusCode).toBe(403);
    expect((await send(t.app, centre, { method: 'POST', url: `/referrals/${referral!.id}/accept` })).statusCode).toBe(409);

    const page = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(page.body).toContain(why);
    expect(page.body).toContain('Trung tâm Công tác xã hội tỉnh từ chối chuyển gửi');
    expect(referralsOf(t.db, caseId)[0]).toMatchObject({ status: 'declined', toOrgName: 'Trung tâm Công tác xã hội tỉnh' });
    // Declined, the centre may be asked again.
    expect((await refer(worker, caseId, { consent: 'guardian' })).statusCode).toBe(303);
    expect((await refer(worker, caseId, { consent: 'guardian' })).statusCode).toBe(400);
  });

  it('refers only while the approved plan is carried out, to a service organisation of the province', async () => {
    const planning = openCase('Lê Thị Hoa');
    advance(planning, TO_PLANNING);
    const page = await send(t.app, worker, { url: `/cases/${planning}` });
    expect(page.body).not.toContain(`action="/cases/${planning}/referrals"`);
    expect((await refer(worker, planning, { consent: 'guardian' })).statusCode).toBe(409);

    const school = await refer(worker, caseId, { consent: 'guardian', to_org_id: String(orgs.schoolA) });
    expect(school.statusCode).toBe(400);
    expect(school.body).toContain('Lựa chọn không hợp lệ.');
    const choices = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(choices.body).toContain('Trung tâm Công tác xã hội số 2');
    expect(choices.body).not.toContain(`<option value="${orgs.schoolA}"`);
  });

  it('gives wrong roles no form and a 403', async () => {
    await refer(worker, caseId, { consent: 'child' });
    const [referral] = referralRows(caseId);
    const chair = await login(t.app, t.db, 'chutich.a');
    const chairPage = await send(t.app, chair, { url: `/cases/${caseId}` });
    expect(chairPage.statusCode).toBe(200);
    expect(chairPage.body).toContain(REASON);
    expect(chairPage.body).not.toContain(`action="/cases/${caseId}/referrals"`);
    expect((await refer(chair, caseId, { consent: 'child' })).statusCode).toBe(403);
    expect((await send(t.app, chair, { url: '/referrals' })).statusCode).toBe(403);
    expect(chairPage.body).not.toContain('href="/referrals"');
    expect((await send(t.app, worker, { method: 'POST', url: `/referrals/${referral!.id}/accept` })).statusCode).toBe(403);
    expect(referralRows(caseId)[0]!.status).toBe('pending');
  });
});
