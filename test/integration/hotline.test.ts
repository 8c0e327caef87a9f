import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { vietnamDateTimeInputs } from '../../src/intake/form.js';
import { createOrganisation } from '../../src/orgs/repository.js';
import { vi as viMessages } from '../../src/i18n/vi.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

type Row = Record<string, unknown>;

const ABOUT_CHILD = {
  call_type: 'about_child',
  medium: 'phone',
  caller_relation: 'neighbour',
  child_name: 'Bé Na',
  child_estimated_age: '7',
  child_sex: 'female',
  description: 'Người gọi nghe thấy tiếng trẻ khóc và tiếng đánh đập nhiều đêm liền.',
  current_condition: 'Trẻ có vết bầm ở tay.',
  immediate_danger: 'no',
  categories: ['abuse_violence_physical'],
};

describe('hotline 111 calls', () => {
  let t: TestApp;
  let orgs: TestOrgs;
  let operator: Browser;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    await seedUser(t.db, 'dtv', [{ role: 'hotline_operator', orgId: orgs.hotline }]);
    operator = await login(t.app, t.db, 'dtv');
  });
  afterEach(async () => t.close());

  const rows = (query: string, ...params: unknown[]): Row[] => t.db.$client.prepare(query).all(...params) as Row[];
  const record = (payload: Record<string, unknown>) => send(t.app, operator, { method: 'POST', url: '/hotline/calls', payload });

  it('shows the call form with the Mẫu 01 fields, the province and its communes, and the categories', async () => {
    const page = await send(t.app, operator, { url: '/hotline/calls/new' });
    expect(page.statusCode).toBe(200);
    const now = vietnamDateTimeInputs(new Date());
    expect(page.body).toContain(`name="call_date" type="date" value="${now.date}"`);
    expect(page.body).toContain('type="time"');
    // The only province is chosen already, so its communes are there to pick.
    expect(page.body).toContain(`<option value="${orgs.province}" selected>Tỉnh Thử Nghiệm</option>`);
    expect(page.body).toContain(`<option value="${orgs.communeA}">Xã An Bình</option>`);
    expect(page.body).toContain('value="abuse_violence_physical"');
    // Anonymous is the default: the consent box is not ticked.
    expect(page.body).toMatch(/name="reporter_consented" value="1">/);
    expect(page.body).toContain('href="/hotline/calls/new"');
  });

  it('asks for the province first when there are several, and shows its communes without losing what was typed', async () => {
    const other = createOrganisation(t.db, SYSTEM_AUDIT_CONTEXT, { name: 'Tỉnh Khác', kind: 'province', parentId: null });
    const far = createOrganisation(t.db, SYSTEM_AUDIT_CONTEXT, { name: 'Xã Xa Xôi', kind: 'commune', parentId: other });
    const form = await send(t.app, operator, { url: '/hotline/calls/new' });
    expect(form.body).toContain('<option value="">— Chọn tỉnh, thành phố trước —</option>');
    expect(form.body).not.toContain('Xã An Bình');
    // The button a browser without JavaScript uses, and the field htmx sends when the province changes.
    expect(form.body).toContain('name="_communes" value="residence_org_id"');
    expect(form.body).toContain(`data-hx-vals='{"_communes": "residence_org_id"}'`);

    const before = rows('SELECT count(*) AS n FROM cases')[0];
    const shown = await record({ ...ABOUT_CHILD, residence_province: String(other), _communes: 'residence_org_id' });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain(`<option value="${far}">Xã Xa Xôi</option>`);
    expect(shown.body).toContain('Người gọi nghe thấy tiếng trẻ khóc');
    expect(shown.body).not.toContain('aria-invalid="true"');
    expect(rows('SELECT count(*) AS n FROM cases')[0]).toEqual(before);

    // A commune chosen in a province shows that province again when the form comes back with an error.
    const refused = await record({ ...ABOUT_CHILD, description: '', residence_org_id: String(far) });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain(`<option value="${other}" selected>Tỉnh Khác</option>`);
    expect(refused.body).toContain(`<option value="${far}" selected>Xã Xa Xôi</option>`);
    // Any active commune is accepted, whichever province the form showed.
    const recorded = await record({ ...ABOUT_CHILD, residence_org_id: String(far) });
    expect(recorded.statusCode).toBe(303);
    expect(rows('SELECT org_id AS orgId FROM cases ORDER BY id DESC LIMIT 1')).toEqual([{ orgId: far }]);
  });

  it('turns an anonymous call about a child into an intake for the commune of residence, without the caller identity', async () => {
    const response = await record({
      ...ABOUT_CHILD,
      residence_org_id: String(orgs.communeB),
      incident_org_id: String(orgs.communeA),
      reporter_name: 'Trần Văn Hàng',
      reporter_phone: '0912345678',
      reporter_address: 'Thôn Đông',
    });
    expect(response.statusCode).toBe(303);
    const [call] = rows('SELECT * FROM hotline_calls');
    expect(response.headers.location).toBe(`/hotline/calls/${call?.id}`);
    expect(call).toMatchObject({ hotline_org_id: orgs.hotline, call_type: 'about_child', caller_relation: 'neighbour' });
    const [caseRow] = rows('SELECT * FROM cases WHERE id = ?', call?.case_id);
    expect(caseRow).toMatchObject({ org_id: orgs.communeB, channel: 'hotline', state: 'intake' });
    const [intake] = rows('SELECT * FROM intakes WHERE case_id = ?', call?.case_id);
    expect(intake).toMatchObject({
      channel: 'hotline',
      medium: 'phone',
      source_org_id: orgs.hotline,
      child_name: 'Bé Na',
      child_estimated_age: 7,
      child_sex: 'female',
      residence_org_id: orgs.communeB,
      incident_org_id: orgs.communeA,
      reporter_consented: 0,
      reporter_relation: 'neighbour',
      reporter_name: null,
      reporter_phone: null,
      reporter_address: null,
      receipt_hash: null,
    });
    expect(rows('SELECT code FROM case_categories WHERE case_id = ?', call?.case_id)).toEqual([{ code: 'abuse_violence_physical' }]);
    expect(auditActions(t.db).map((entry) => entry.action)).toEqual(expect.arrayContaining(['case.create', 'hotline.call']));

    const confirmation = await send(t.app, operator, { url: String(response.headers.location) });
    expect(confirmation.statusCode).toBe(200);
    expect(confirmation.body).toContain(String(caseRow?.reference));
    expect(confirmation.body).toContain('href="/hotline/calls/new"');
  });

  it('falls back to the commune of the incident, and keeps the caller identity when they consent', async () => {
    const response = await record({
      ...ABOUT_CHILD,
      incident_org_id: String(orgs.communeA),
      reporter_consented: '1',
      reporter_name: 'Trần Văn Hàng',
      reporter_phone: '0912 345 678',
    });
    expect(response.statusCode).toBe(303);
    const [intake] = rows('SELECT i.*, c.org_id FROM intakes i JOIN cases c ON c.id = i.case_id');
    expect(intake).toMatchObject({ org_id: orgs.communeA, reporter_consented: 1, reporter_name: 'Trần Văn Hàng', reporter_phone: '0912 345 678' });
  });

  it("accepts a browser's url-encoded form, with one or several categories ticked", async () => {
    const post = (categories: string[]) => {
      const body = new URLSearchParams({ _csrf: operator.csrf, call_type: 'child_self', description: 'Em bị đánh.', immediate_danger: 'yes' });
      body.set('residence_org_id', String(orgs.communeA));
      for (const code of categories) body.append('categories', code);
      return t.app.inject({
        method: 'POST',
        url: '/hotline/calls',
        headers: { cookie: operator.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      });
    };
    expect((await post(['abuse_violence_emotional'])).statusCode).toBe(303);
    expect((await post(['abuse_violence_physical', 'cl_worst_forms'])).statusCode).toBe(303);
    expect(rows('SELECT case_id, code FROM case_categories ORDER BY case_id, code').map((row) => row.code)).toEqual([
      'abuse_violence_emotional',
      'abuse_violence_physical',
      'cl_worst_forms',
    ]);
    expect(rows('SELECT immediate_danger FROM intakes')).toEqual([{ immediate_danger: 1 }, { immediate_danger: 1 }]);
    const unknownCode = await post(['not_a_code']);
    expect(unknownCode.statusCode).toBe(400);
  });

  it('reads the date and time typed on a Viet Nam clock', async () => {
    const typed = vietnamDateTimeInputs(new Date(Date.now() - 2 * 3_600_000));
    await record({ ...ABOUT_CHILD, residence_org_id: String(orgs.communeA), call_date: typed.date, call_time: typed.time });
    const expected = new Date(`${typed.date}T${typed.time}:00+07:00`).toISOString();
    expect(rows('SELECT received_at FROM hotline_calls')).toEqual([{ received_at: expected }]);
    expect(rows('SELECT received_at FROM cases')).toEqual([{ received_at: expected }]);
  });

  it('counts a silent call without opening a case', async () => {
    const response = await record({ call_type: 'silent', medium: 'phone' });
    expect(response.statusCode).toBe(303);
    expect(rows('SELECT call_type, case_id FROM hotline_calls')).toEqual([{ call_type: 'silent', case_id: null }]);
    expect(rows('SELECT id FROM cases')).toEqual([]);
    expect(rows('SELECT id FROM intakes')).toEqual([]);
    expect(auditActions(t.db).map((entry) => entry.action)).toContain('hotline.call');
    const confirmation = await send(t.app, operator, { url: String(response.headers.location) });
    expect(confirmation.body).toContain(viMessages['hotline.call_counted']);
  });

  it('asks for a commune when neither is given, keeping what was typed and writing nothing', async () => {
    const response = await record({ ...ABOUT_CHILD, child_estimated_age: '25', incident_place: 'Khu nhà trọ Hòa Bình' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(viMessages['intake.commune_required']);
    expect(response.body).toContain(viMessages['intake.age_invalid']);
    expect(response.body).toContain('tiếng đánh đập nhiều đêm liền');
    expect(response.body).toContain('value="Khu nhà trọ Hòa Bình"');
    expect(response.body).toMatch(/value="abuse_violence_physical" checked/);
    expect(rows('SELECT id FROM hotline_calls')).toEqual([]);
    expect(rows('SELECT id FROM cases')).toEqual([]);
  });

  it('requires a call type and a description for a call about a child', async () => {
    const missingType = await record({ description: 'x' });
    expect(missingType.statusCode).toBe(400);
    expect(missingType.body).toContain(viMessages['hotline.call_type_required']);
    const missingDescription = await record({ call_type: 'child_self', residence_org_id: String(orgs.communeA), immediate_danger: 'yes' });
    expect(missingDescription.statusCode).toBe(400);
    expect(rows('SELECT id FROM hotline_calls')).toEqual([]);
  });

  it('lists the hotline calls of the day with their case reference and no narrative', async () => {
    await record({ ...ABOUT_CHILD, residence_org_id: String(orgs.communeA) });
    await record({ call_type: 'hang_up' });
    const list = await send(t.app, operator, { url: '/hotline/calls' });
    expect(list.statusCode).toBe(200);
    const [caseRow] = rows('SELECT reference FROM cases');
    expect(list.body).toContain(String(caseRow?.reference));
    expect(list.body).toContain(viMessages['hotline.call_type_hang_up']);
    expect(list.body).toContain(viMessages['hotline.call_type_about_child']);
    expect(list.body).not.toContain('tiếng đánh đập');
    expect(list.body).not.toContain('Bé Na');
  });

  it('refuses the hotline pages to commune workers, teachers and administrators', async () => {
    await seedUser(t.db, 'lan', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    await seedUser(t.db, 'cogiao', [{ role: 'teacher', orgId: orgs.schoolA }]);
    await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    for (const username of ['lan', 'cogiao', 'quantri']) {
      const browser = await login(t.app, t.db, username);
      expect((await send(t.app, browser, { url: '/hotline/calls/new' })).statusCode).toBe(403);
      expect((await send(t.app, browser, { url: '/hotline/calls' })).statusCode).toBe(403);
      const post = await send(t.app, browser, { method: 'POST', url: '/hotline/calls', payload: { call_type: 'silent' } });
      expect(post.statusCode).toBe(403);
    }
    expect(rows('SELECT id FROM hotline_calls')).toEqual([]);
  });

  it('renders the call form in English after the language switch', async () => {
    const switched = await send(t.app, operator, { method: 'POST', url: '/language', payload: { locale: 'en', next: '/hotline/calls/new' } });
    expect(switched.statusCode).toBe(303);
    const page = await send(t.app, operator, { url: '/hotline/calls/new' });
    expect(page.body).toContain('Someone calling about a child');
    expect(page.body).toContain('The reporter agrees to be identified');
  });
});
