import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vi as viMessages } from '../../src/i18n/vi.js';
import { anonymous, auditActions, createTestApp, login, seedOrgs, seedUser, TEST_PASSWORD, type Browser, type TestApp } from '../helpers/app.js';

/** Switching language is a harmless POST whose effect (the user's stored locale) shows whether it ran. */
function switchToEnglish(t: TestApp, browser: Browser, options: { headers?: Record<string, string>; body?: Record<string, string> }): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/language',
    headers: { cookie: browser.cookie, ...options.headers },
    payload: { locale: 'en', ...options.body },
  });
}

describe('CSRF protection', () => {
  let t: TestApp;
  let userId: number;
  let browser: Browser;

  beforeEach(async () => {
    t = await createTestApp();
    const orgs = seedOrgs(t.db);
    userId = await seedUser(t.db, 'lan', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    browser = await login(t.app, t.db, 'lan');
  });
  afterEach(async () => t.close());

  const storedLocale = (): string => (t.db.$client.prepare('SELECT locale FROM users WHERE id = ?').get(userId) as { locale: string }).locale;

  function expectRefused(response: LightMyRequestResponse): void {
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain(viMessages['error.csrf']);
    expect(storedLocale()).toBe('vi');
  }

  it('refuses a POST without a token, and audits the refusal', async () => {
    const before = auditActions(t.db).length;
    expectRefused(await switchToEnglish(t, browser, {}));
    const entries = auditActions(t.db).slice(before);
    expect(entries).toEqual([expect.objectContaining({ action: 'csrf.refused', outcome: 'refused' })]);
    const actor = t.db.$client.prepare("SELECT actor_user_id AS id FROM audit_log WHERE action = 'csrf.refused'").get();
    expect(actor).toEqual({ id: userId });
  });

  it('refuses a POST with a wrong token', async () => {
    expectRefused(await switchToEnglish(t, browser, { body: { _csrf: 'a'.repeat(32) } }));
  });

  it('refuses a token that belongs to another session', async () => {
    const other = await login(t.app, t.db, 'lan');
    expectRefused(await switchToEnglish(t, browser, { body: { _csrf: other.csrf } }));
  });

  it('accepts the session’s token in the form body', async () => {
    const response = await switchToEnglish(t, browser, { body: { _csrf: browser.csrf } });
    expect(response.statusCode).toBe(303);
    expect(storedLocale()).toBe('en');
  });

  it('accepts the session’s token in the X-CSRF-Token header, as htmx sends it', async () => {
    const response = await switchToEnglish(t, browser, { headers: { 'x-csrf-token': browser.csrf, 'hx-request': 'true' } });
    expect(response.statusCode).toBe(303);
    expect(storedLocale()).toBe('en');
  });

  it('gives every page the session’s token, in forms and in the htmx headers', async () => {
    const page = await t.app.inject({ url: '/account', headers: { cookie: browser.cookie } });
    expect(page.body).toContain(`name="_csrf" value="${browser.csrf}"`);
    expect(page.body).toContain(`hx-headers='{&quot;X-CSRF-Token&quot;:&quot;${browser.csrf}&quot;}'`);
  });

  it('refuses the right token from another origin', async () => {
    expectRefused(await switchToEnglish(t, browser, { headers: { origin: 'https://evil.example' }, body: { _csrf: browser.csrf } }));
  });

  it('accepts the right token from this site’s own origin', async () => {
    const response = await switchToEnglish(t, browser, { headers: { origin: t.app.config.publicUrl }, body: { _csrf: browser.csrf } });
    expect(response.statusCode).toBe(303);
  });

  it('refuses the right token when the browser says the request is cross-site', async () => {
    expectRefused(await switchToEnglish(t, browser, { headers: { 'sec-fetch-site': 'cross-site' }, body: { _csrf: browser.csrf } }));
    expectRefused(await switchToEnglish(t, browser, { headers: { 'sec-fetch-site': 'same-site' }, body: { _csrf: browser.csrf } }));
  });

  it('accepts the right token from a same-origin request', async () => {
    const response = await switchToEnglish(t, browser, { headers: { 'sec-fetch-site': 'same-origin' }, body: { _csrf: browser.csrf } });
    expect(response.statusCode).toBe(303);
  });
});

describe('CSRF protection of signed-out forms (double-submit cookie)', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
    const orgs = seedOrgs(t.db);
    await seedUser(t.db, 'lan', [{ role: 'commune_worker', orgId: orgs.communeA }]);
  });
  afterEach(async () => t.close());

  it('refuses the login form without the cookie, even with the right password', async () => {
    const visitor = await anonymous(t.app);
    const response = await t.app.inject({ method: 'POST', url: '/login', payload: { username: 'lan', password: TEST_PASSWORD, _csrf: visitor.csrf } });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain(viMessages['error.csrf']);
    expect(response.cookies.find((cookie) => cookie.name === 'bvte_session')).toBeUndefined();
    expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'csrf.refused', outcome: 'refused' });
  });

  it('refuses the login form when the token does not match the cookie', async () => {
    const visitor = await anonymous(t.app);
    const other = await anonymous(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: visitor.cookie },
      payload: { username: 'lan', password: TEST_PASSWORD, _csrf: other.csrf },
    });
    expect(response.statusCode).toBe(403);
  });

  it('accepts the login form when the token matches the cookie', async () => {
    const visitor = await anonymous(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: visitor.cookie },
      payload: { username: 'lan', password: TEST_PASSWORD, _csrf: visitor.csrf },
    });
    expect(response.statusCode).toBe(303);
  });

  it('keeps the visitor’s token across page views, so an open form stays valid', async () => {
    const visitor = await anonymous(t.app);
    const again = await t.app.inject({ url: '/login', headers: { cookie: visitor.cookie } });
    expect(again.cookies.find((cookie) => cookie.name === 'bvte_csrf')).toBeUndefined();
    expect(again.body).toContain(`name="_csrf" value="${visitor.csrf}"`);
  });
});
