// Stored and reflected payloads in the browser (issue 6): script and markup are stored through the real
// forms and the API (a teacher's flag, a school lead's context, a hotline call, a public report, a case
// note, an organisation's and a user's name, API intake fields), then every page that shows them is
// opened as the roles that see them. Nothing may run (window.__pwned stays undefined, no dialog, no
// CSP violation), and the text is shown as text. Reflected payloads: search, login's next=, error URLs.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../../src/api/keys.js';
import { browserAvailable, demoInBrowser, signedIn } from '../e2e/harness.js';
import { parseForms, shownMessages, type FormField } from './bad-input-forms.js';
import { baseline } from './bad-input-plan.js';
import { formEncode } from './bad-input-payloads.js';

const DESKTOP = { width: 1280, height: 900 };

/** One payload for every context a value can land in (element text, attribute values, templates), within 200 characters. */
function payload(tag: string): string {
  return `${tag}<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">" autofocus onfocus="window.__pwned=1" x="<svg onload="window.__pwned=1">{{7*7}}<%= 7*7 %>`;
}

/** What must be visible as text where a stored payload is shown: its markup, literally. */
const SHOWN_AS_TEXT = '<script>window.__pwned=1</script>';

/** Text fields a payload can go into; codes, dates, numbers and phones have formats of their own. */
const FORMATTED = /username|password|phone|tel|date|age|code|email|_at$|time/;

interface Visit {
  context: BrowserContext;
  page: Page;
  problems: string[];
  cspErrors: string[];
}

describe.skipIf(!browserAvailable)('stored and reflected payloads never run', () => {
  const demo = demoInBrowser(60_000);

  /** A browser for the role, watching for anything a payload could make happen. */
  async function visitAs(username: string | null): Promise<Visit> {
    const signed = username
      ? await signedIn(demo.browser, demo.server.baseUrl, username, DESKTOP)
      : await (async () => {
          const context = await demo.browser.newContext({ viewport: DESKTOP, locale: 'vi-VN' });
          const cspErrors: string[] = [];
          const page = await context.newPage();
          page.on('console', (message) => {
            if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
          });
          return { context, page, cspErrors };
        })();
    const problems: string[] = [];
    signed.page.on('dialog', (dialog) => {
      problems.push(`dialog on ${signed.page.url()}`);
      void dialog.dismiss();
    });
    return { ...signed, problems };
  }

  /** Submits a page's form with the payload in every free-text field (the rest as a user would fill it). */
  async function storeThroughForm(visit: Visit, pagePath: string, action: RegExp, tag: string, overrides: Record<string, string> = {}): Promise<number> {
    await visit.page.goto(`${demo.server.baseUrl}${pagePath}`);
    // Where two forms post to one address (quick buttons and the full form), the full one.
    const form = parseForms(await visit.page.content())
      .filter((item) => item.method === 'post' && action.test(item.action))
      .sort((a, b) => b.fields.length - a.fields.length)[0];
    if (!form) throw new Error(`no form posting to ${String(action)} on ${pagePath}`);
    const text = (field: FormField): boolean => (field.kind === 'text' || field.kind === 'textarea') && !FORMATTED.test(field.name);
    const fields = form.fields.map((field) => (text(field) ? { ...field, value: payload(tag).slice(0, field.maxLength) } : field));
    // Every checkbox group gets its first option, so lists that must not be empty are not.
    const checkboxes = form.fields.filter((field) => field.kind === 'checkbox' && field.value === '').map((field): [string, string] => [field.name, field.options[0]!]);
    const csrf = form.fields.find((field) => field.name === '_csrf')?.value ?? '';
    const pairs = [['_csrf', csrf] as [string, string], ...baseline(fields).filter(([name]) => !(name in overrides)), ...checkboxes, ...Object.entries(overrides)];
    const response = await visit.context.request.post(`${demo.server.baseUrl}${form.action}`, {
      data: formEncode(pairs),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: demo.server.baseUrl },
      maxRedirects: 0,
    });
    // A refusal names the fields it refused (catalogue messages only, no data), to fix the fixture quickly.
    if (response.status() !== 303) {
      const body = await response.text();
      const fieldsRefused = [...body.matchAll(/id="([^"]+)-error"/g)].map((match) => match[1]);
      process.stderr.write(`${form.action}: ${response.status()} ${JSON.stringify(fieldsRefused)} ${JSON.stringify(shownMessages(body))}\n`);
    }
    return response.status();
  }

  /** Opens the page and waits long enough for onerror, onload and autofocus handlers to have fired. */
  async function inspect(visit: Visit, path: string, expectShown: boolean): Promise<void> {
    await visit.page.goto(`${demo.server.baseUrl}${path}`);
    await visit.page.waitForTimeout(150);
    await visit.page.mouse.move(200, 300);
    const pwned = await visit.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
    if (pwned !== undefined) visit.problems.push(`${path}: payload ran (${String(pwned)})`);
    if (expectShown && !(await visit.page.textContent('main'))?.includes(SHOWN_AS_TEXT)) visit.problems.push(`${path}: payload not shown as text`);
  }

  const newCaseIds = (since: number): number[] =>
    (demo.server.database.db.$client.prepare('SELECT id FROM cases WHERE id > ? ORDER BY id').all(since) as { id: number }[]).map((row) => row.id);

  it('stored through the forms and the API, shown to every role that sees it, never runs', async () => {
    const db = demo.server.database.db.$client;
    const lastCase = (db.prepare('SELECT max(id) AS id FROM cases').get() as { id: number }).id;
    const { orgs } = demo.server.seed;

    const teacher = await visitAs('giaovien');
    expect(await storeThroughForm(teacher, '/flags/new', /^\/flags$/, 'flag', { immediate_danger: 'no' })).toBe(303);
    const flagId = (db.prepare('SELECT max(id) AS id FROM flags').get() as { id: number }).id;

    const lead = await visitAs('bgh');
    await inspect(lead, '/flags', false);
    await inspect(lead, `/flags/${flagId}`, true);
    expect(await storeThroughForm(lead, `/flags/${flagId}`, /\/forward$/, 'lead')).toBe(303);

    const operator = await visitAs('tongdai111');
    // An hour ago on a Viet Nam clock, as the operator types it.
    const [day, time] = new Date(Date.now() + 6 * 3_600_000).toISOString().split('T') as [string, string];
    const callAt = { call_date: day, call_time: time.slice(0, 5) };
    const communeOption = { residence_org_id: String(orgs.kinhBac), immediate_danger: 'no', call_type: 'about_child', ...callAt };
    expect(await storeThroughForm(operator, '/hotline/calls/new', /^\/hotline\/calls$/, 'hotline', communeOption)).toBe(303);
    const callId = (db.prepare('SELECT max(id) AS id FROM hotline_calls').get() as { id: number }).id;

    const reporter = await visitAs(null);
    // The public form answers with the receipt page itself (200), so no code is left in a redirect URL.
    expect(await storeThroughForm(reporter, '/report', /^\/report$/, 'report', { residence_org_id: String(orgs.kinhBac), immediate_danger: 'no' })).toBe(200);

    const api = await fetch(`${demo.server.baseUrl}/api/v1/intakes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        medium: 'phone',
        child: { name: payload('api-child') },
        residenceCommuneId: orgs.kinhBac,
        incidentPlace: payload('api-place'),
        description: payload('api-description'),
        familySituation: payload('api-family'),
        immediateDanger: false,
        categories: ['abuse_violence_physical'],
        reporter: { consented: true, name: payload('api-reporter'), relation: 'Hàng xóm', address: payload('api-address') },
      }),
    });
    expect(api.status).toBe(201);

    const cases = newCaseIds(lastCase);
    expect(cases.length).toBeGreaterThanOrEqual(3);
    const worker = await visitAs('canboxa');
    expect(await storeThroughForm(worker, `/cases/${cases.at(-1)}`, /\/notes$/, 'note')).toBe(303);

    const admin = await visitAs('quantri');
    expect(await storeThroughForm(admin, `/admin/organisations/${orgs.primarySchool}`, /\/rename$/, 'org')).toBe(303);
    expect(
      await storeThroughForm(admin, '/admin/users/new', /^\/admin\/users$/, 'user', {
        username: 'xss.nguoidung',
        password: 'Một mật khẩu đủ dài 2026!',
        password_confirm: 'Một mật khẩu đủ dài 2026!',
      }),
    ).toBe(303);
    const userId = (db.prepare("SELECT id FROM users WHERE username = 'xss.nguoidung'").get() as { id: number }).id;

    for (const id of cases) {
      await inspect(worker, `/cases/${id}`, true);
      await inspect(worker, `/cases/${id}/print/mau-01`, true);
    }
    for (const path of ['/', '/triage', '/notifications', `/search?q=${encodeURIComponent('pwned')}`]) await inspect(worker, path, false);
    await inspect(operator, '/hotline/calls', false);
    // The call record shows the call's coded facts; its narrative lives on the case, inspected above.
    await inspect(operator, `/hotline/calls/${callId}`, false);
    await inspect(teacher, '/flags/mine', false);
    await inspect(teacher, '/flags/new', false);
    await inspect(lead, `/flags/${flagId}`, true);
    await inspect(admin, `/admin/organisations/${orgs.primarySchool}`, true);
    await inspect(admin, '/admin/organisations', false);
    await inspect(admin, '/admin/users', false);
    await inspect(admin, `/admin/users/${userId}`, true);
    const supervisor = await visitAs('giamsat');
    await inspect(supervisor, '/', false);
    await inspect(supervisor, `/cases/${cases[0]}`, true);

    const visits = [teacher, lead, operator, reporter, worker, admin, supervisor];
    expect(visits.flatMap((visit) => visit.problems)).toEqual([]);
    expect(visits.flatMap((visit) => visit.cspErrors)).toEqual([]);
    for (const visit of visits) await visit.context.close();
  }, 120_000);

  it('reflected in a search, in login’s next= and in the URL of an error page, never runs', async () => {
    const worker = await visitAs('canboxa');
    const reflected = encodeURIComponent(payload('search'));
    // Within the search box's 200 characters, so it is shown back in the box.
    const short = `"><img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>`;
    await inspect(worker, `/search?q=${encodeURIComponent(short)}`, false);
    expect(await worker.page.inputValue('#search-q')).toBe(short);
    await inspect(worker, `/search?q=${reflected}`, false);
    await inspect(worker, `/cases/${encodeURIComponent(payload('path'))}`, false);
    await inspect(worker, `/${encodeURIComponent(payload('unknown'))}`, false);
    await inspect(worker, `/statistics?period=${reflected}&from=${reflected}`, false);

    const visitor = await visitAs(null);
    for (const next of ['javascript:window.__pwned=1', payload('next'), '//evil.example/', '/\t/evil.example']) {
      await inspect(visitor, `/login?next=${encodeURIComponent(next)}`, false);
    }
    await inspect(visitor, `/report/status?code=${reflected}`, false);
    await visitor.page.goto(`${demo.server.baseUrl}/login?next=${encodeURIComponent('javascript:window.__pwned=1')}`);
    await visitor.page.fill('#username', 'canboxa');
    await visitor.page.fill('#password', 'bvte-demo-2026');
    await Promise.all([visitor.page.waitForURL(`${demo.server.baseUrl}/`), visitor.page.click('button[type=submit].primary')]);
    expect(await visitor.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();

    expect([...worker.problems, ...visitor.problems]).toEqual([]);
    expect([...worker.cspErrors, ...visitor.cspErrors]).toEqual([]);
    await worker.context.close();
    await visitor.context.close();
  }, 60_000);
});
