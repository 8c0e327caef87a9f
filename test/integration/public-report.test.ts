import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyCaseEvent } from '../../src/cases/service.js';
import { en as enMessages } from '../../src/i18n/en.js';
import { vi as viMessages } from '../../src/i18n/vi.js';
import { activeAssignments } from '../../src/users/repository.js';
import { anonymous, auditActions, createTestApp, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

type Row = Record<string, unknown>;

const CODE = /\b([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z]{4})\b/;

function receiptCode(response: LightMyRequestResponse): string {
  const match = CODE.exec(response.body);
  if (!match) throw new Error('no receipt code on the page');
  return match[0];
}

describe('public report', () => {
  let t: TestApp;
  let orgs: TestOrgs;
  let visitor: Browser;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    visitor = await anonymous(t.app);
  });
  afterEach(async () => t.close());

  const rows = (query: string, ...params: unknown[]): Row[] => t.db.$client.prepare(query).all(...params) as Row[];
  const report = (payload: Record<string, unknown>, browser: Browser = visitor) => send(t.app, browser, { method: 'POST', url: '/report', payload });
  const validReport = (): Record<string, string> => ({
    description: 'Cháu bé nhà bên cạnh thường bị bỏ một mình cả ngày, không có ai cho ăn.',
    child_name: 'Cu Tí',
    child_estimated_age: '5',
    incident_org_id: String(orgs.communeA),
    incident_place: 'Khu nhà trọ cạnh khu công nghiệp',
    immediate_danger: 'unknown',
  });

  it('is linked from the login page and shows the form with the emergency numbers to anyone', async () => {
    const loginPage = await t.app.inject({ url: '/login' });
    expect(loginPage.body).toContain('href="/report"');
    expect(loginPage.body).toContain(viMessages['login.report_link']);
    const page = await send(t.app, visitor, { url: '/report' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="_csrf"');
    expect(page.body).toContain(viMessages['report.emergency_text']);
    expect(page.body).toContain(viMessages['report.commune_unknown']);
  });

  it('opens an intake and gives a receipt code of which only the hash is stored', async () => {
    const response = await report({ ...validReport(), reporter_name: 'Chị Hoa', reporter_phone: '0987654321' });
    expect(response.statusCode).toBe(200);
    const code = receiptCode(response);
    expect(response.body).toContain(viMessages['report.receipt_advice']);
    const [intake] = rows('SELECT i.*, c.org_id, c.state FROM intakes i JOIN cases c ON c.id = i.case_id');
    expect(intake).toMatchObject({
      channel: 'public',
      medium: 'online',
      source_org_id: null,
      recorded_by: null,
      org_id: orgs.communeA,
      state: 'intake',
      child_name: 'Cu Tí',
      child_estimated_age: 5,
      reporter_consented: 0,
      reporter_name: null,
      reporter_phone: null,
    });
    const canonical = code.replace(/-/g, '');
    expect(intake?.receipt_hash).toBe(createHash('sha256').update(canonical).digest('hex'));
    const everything = JSON.stringify(rows('SELECT * FROM intakes')) + JSON.stringify(rows('SELECT * FROM audit_log'));
    expect(everything).not.toContain(canonical);
    expect(everything).not.toContain(code);
    // The reporter's address is not kept next to the case they reported.
    expect(rows("SELECT ip FROM audit_log WHERE action = 'case.create'")).toEqual([{ ip: null }]);
  });

  it('keeps the contact details only when the reporter consents', async () => {
    await report({ ...validReport(), residence_org_id: String(orgs.communeB), reporter_consented: '1', reporter_name: 'Chị Hoa', reporter_phone: '0987654321' });
    expect(rows('SELECT reporter_consented, reporter_name, reporter_phone FROM intakes')).toEqual([
      { reporter_consented: 1, reporter_name: 'Chị Hoa', reporter_phone: '0987654321' },
    ]);
    expect(rows('SELECT org_id FROM cases')).toEqual([{ org_id: orgs.communeB }]);
  });

  it('asks the reporter to choose a commune, keeping what they typed', async () => {
    const response = await report({ ...validReport(), incident_org_id: '' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(viMessages['report.commune_required']);
    expect(response.body).toContain('thường bị bỏ một mình cả ngày');
    expect(response.body).toContain('value="Cu Tí"');
    expect(rows('SELECT id FROM cases')).toEqual([]);
  });

  it('shows only the coarse status for a receipt code, and lets the reporter add information', async () => {
    const code = receiptCode(await report({ ...validReport(), categories: ['abuse_neglect'] }));
    const [caseRow] = rows('SELECT id, reference FROM cases');

    // Typed forgivingly: lower case, without hyphens.
    const status = await send(t.app, visitor, { method: 'POST', url: '/report/status', payload: { code: code.replace(/-/g, '').toLowerCase() } });
    expect(status.statusCode).toBe(200);
    expect(status.body).toContain(viMessages['report.status_received']);
    for (const secret of [String(caseRow?.reference), 'Cu Tí', 'thường bị bỏ một mình', 'Khu nhà trọ', 'Bỏ mặc', 'Xã An Bình', 'BV-']) {
      expect(status.body).not.toContain(secret);
    }

    const added = await send(t.app, visitor, { method: 'POST', url: '/report/status/add', payload: { code, text: 'Hôm nay cháu lại ở một mình.' } });
    expect(added.statusCode).toBe(200);
    expect(added.body).toContain(viMessages['report.added_text']);
    const timeline = rows("SELECT case_id, kind, actor_user_id, detail FROM case_timeline WHERE kind = 'public_update'");
    expect(timeline).toEqual([{ case_id: caseRow?.id, kind: 'public_update', actor_user_id: null, detail: JSON.stringify({ text: 'Hôm nay cháu lại ở một mình.' }) }]);
    expect(auditActions(t.db)).toContainEqual(expect.objectContaining({ action: 'case.public_update', entity_type: 'case', entity_id: String(caseRow?.id) }));

    const emptyAddition = await send(t.app, visitor, { method: 'POST', url: '/report/status/add', payload: { code, text: '  ' } });
    expect(emptyAddition.statusCode).toBe(400);
    expect(emptyAddition.body).toContain(viMessages['form.required']);
  });

  it('follows the case: being handled once a worker takes it', async () => {
    const code = receiptCode(await report(validReport()));
    const workerId = await seedUser(t.db, 'lan', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    const assignment = activeAssignments(t.db, workerId)[0];
    const [caseRow] = rows('SELECT id FROM cases');
    const audit = { actorUserId: workerId, actorRole: 'commune_worker', actorOrgId: orgs.communeA, ip: null, requestId: null };
    const taken = applyCaseEvent(
      t.db,
      t.app.orgRelations,
      { actor: { userId: workerId, assignmentId: assignment?.id ?? 0, role: 'commune_worker', orgId: orgs.communeA }, audit },
      Number(caseRow?.id),
      { type: 'TAKE' },
    );
    expect(taken.ok).toBe(true);
    const status = await send(t.app, visitor, { method: 'POST', url: '/report/status', payload: { code } });
    expect(status.body).toContain(viMessages['report.status_handling']);
  });

  it('answers a wrong code with a generic message', async () => {
    await report(validReport());
    for (const code of ['AAAA-BBBB-CCCC', 'not a code', '']) {
      const response = await send(t.app, visitor, { method: 'POST', url: '/report/status', payload: { code } });
      expect(response.statusCode).toBe(404);
      expect(response.body).toContain(viMessages['report.status_not_found']);
    }
    const add = await send(t.app, visitor, { method: 'POST', url: '/report/status/add', payload: { code: 'AAAA-BBBB-CCCC', text: 'x' } });
    expect(add.statusCode).toBe(404);
    expect(rows("SELECT id FROM case_timeline WHERE kind = 'public_update'")).toEqual([]);
  });

  it('limits reports per address: the sixth in an hour is refused with the input kept', async () => {
    for (let i = 0; i < 5; i += 1) expect((await report(validReport())).statusCode).toBe(200);
    const refused = await report(validReport());
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain(viMessages['report.throttled']);
    expect(refused.body).toContain('thường bị bỏ một mình cả ngày');
    expect(rows('SELECT id FROM cases')).toHaveLength(5);
  });

  it('limits receipt look-ups per address to stop guessing', async () => {
    let last: LightMyRequestResponse | null = null;
    for (let i = 0; i < 11; i += 1) {
      last = await send(t.app, visitor, { method: 'POST', url: '/report/status', payload: { code: 'AAAA-BBBB-CCCC' } });
    }
    expect(last?.statusCode).toBe(429);
    expect(last?.body).toContain(viMessages['report.status_throttled']);
  });

  it('speaks English after the language switch', async () => {
    const switched = await send(t.app, visitor, { method: 'POST', url: '/language', payload: { locale: 'en', next: '/report' } });
    expect(switched.statusCode).toBe(303);
    const language = switched.cookies.find((cookie) => cookie.name === 'bvte_lang');
    const english: Browser = { cookie: `${visitor.cookie}; bvte_lang=${language?.value}`, csrf: visitor.csrf };
    const page = await send(t.app, english, { url: '/report' });
    expect(page.body).toContain(enMessages['report.title']);
    expect(page.body).toContain(enMessages['report.emergency_text']);
    const sent = await report(validReport(), english);
    expect(sent.body).toContain(enMessages['report.receipt_label']);
    const status = await send(t.app, english, { method: 'POST', url: '/report/status', payload: { code: receiptCode(sent) } });
    expect(status.body).toContain(enMessages['report.status_received']);
    const lookupPage = await send(t.app, english, { url: '/report/status' });
    expect(lookupPage.body).toContain(enMessages['report.code_label']);
  });
});
