import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en.js';
import { vi as viMessages } from '../../src/i18n/vi.js';
import { anonymous, createTestApp, login, seedOrgs, seedUser, send, type TestApp, type TestOrgs } from '../helpers/app.js';

describe('every page', () => {
  let t: TestApp;
  let orgs: TestOrgs;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    await seedUser(t.db, 'lan', [{ role: 'teacher', orgId: orgs.schoolA }]);
  });
  afterEach(async () => t.close());

  it('carries the security headers, signed in or not', async () => {
    const admin = await login(t.app, t.db, 'quantri');
    for (const response of [await t.app.inject({ url: '/login' }), await send(t.app, admin, { url: '/admin/users' })]) {
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers['referrer-policy']).toBe('same-origin');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('puts the security headers on error pages and redirects too', async () => {
    for (const response of [await t.app.inject({ url: '/khong-co' }), await t.app.inject({ url: '/admin/users' })]) {
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('varies on HX-Request and serves htmx the fragment without the layout', async () => {
    const admin = await login(t.app, t.db, 'quantri');
    const full = await send(t.app, admin, { url: '/admin/users' });
    const fragment = await send(t.app, admin, { url: '/admin/users', headers: { 'hx-request': 'true' } });
    for (const response of [full, fragment]) expect(response.headers.vary).toContain('HX-Request');
    expect(full.body).toContain('<html');
    expect(fragment.statusCode).toBe(200);
    expect(fragment.body).not.toContain('<html');
    expect(fragment.body).not.toContain('class="site-nav"');
    expect(fragment.body.trimStart().startsWith('<section aria-labelledby="users-title">')).toBe(true);
    expect(fragment.body).toContain('quantri');
  });

  it('serves a boosted htmx navigation the whole page', async () => {
    const admin = await login(t.app, t.db, 'quantri');
    const boosted = await send(t.app, admin, { url: '/admin/users', headers: { 'hx-request': 'true', 'hx-boosted': 'true' } });
    expect(boosted.body).toContain('<html');
  });

  it('answers /healthz with 200 JSON, without signing in', async () => {
    const response = await t.app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('serves htmx from /static/vendor with a JavaScript type, cacheable and revalidated by ETag', async () => {
    const response = await t.app.inject({ url: '/static/vendor/htmx.min.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/javascript/);
    expect(response.body).toContain('htmx');
    expect(response.headers['cache-control']).not.toBe('no-store');
    const etag = String(response.headers.etag);
    const again = await t.app.inject({ url: '/static/vendor/htmx.min.js', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('serves nothing outside static/', async () => {
    for (const url of ['/static/../package.json', '/static/%2e%2e/package.json', '/static/vendor/../../src/app.ts']) {
      const response = await t.app.inject({ url });
      expect(response.statusCode, url).toBe(404);
      expect(response.body, url).not.toContain('"dependencies"');
    }
  });

  it('has a skip link to the main content and the page language', async () => {
    const page = await t.app.inject({ url: '/login' });
    expect(page.body).toContain('<html lang="vi">');
    expect(page.body).toContain(`<a class="skip-link" href="#main">${viMessages['layout.skip_to_content']}</a>`);
    expect(page.body).toContain('<main id="main"');
    const visitor = await anonymous(t.app);
    const chosen = await t.app.inject({ method: 'POST', url: '/language', headers: { cookie: visitor.cookie }, payload: { locale: 'en', _csrf: visitor.csrf } });
    const languageCookie = chosen.cookies.find((cookie) => cookie.name === 'bvte_lang');
    expect(languageCookie?.value).toBe('en');
    const english = await t.app.inject({ url: '/login', headers: { cookie: `${visitor.cookie}; bvte_lang=en` } });
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain(en['login.intro']);
  });

  it('shows the signed-in user, their role and organisation in the header', async () => {
    const admin = await login(t.app, t.db, 'quantri');
    const page = await send(t.app, admin, { url: '/' });
    const header = page.body.slice(page.body.indexOf('<header'), page.body.indexOf('</header>'));
    expect(header).toContain('Người dùng quantri');
    expect(header).toContain(viMessages['role.admin']);
    expect(header).toContain('Tỉnh Thử Nghiệm');
    expect(header).toContain('action="/logout"');
  });

  it('shows a teacher only the menu items a teacher may use', async () => {
    const teacher = await login(t.app, t.db, 'lan');
    const page = await send(t.app, teacher, { url: '/' });
    const nav = page.body.slice(page.body.indexOf('<nav class="site-nav"'), page.body.indexOf('</nav>', page.body.indexOf('<nav class="site-nav"')));
    expect(nav).toContain('href="/account"');
    expect(nav).not.toContain('/admin/');
    expect(page.body).not.toContain('href="/admin/users"');
    expect(page.body).not.toContain('href="/admin/organisations"');
    expect((await send(t.app, teacher, { url: '/admin/users' })).statusCode).toBe(403);
  });

  it('shows an administrator the administration menu items, marking the current one', async () => {
    const admin = await login(t.app, t.db, 'quantri');
    const page = await send(t.app, admin, { url: '/admin/users' });
    expect(page.body).toContain(`<a href="/admin/users" aria-current="page">${viMessages['nav.users']}</a>`);
    expect(page.body).toContain(`<a href="/admin/organisations">${viMessages['nav.organisations']}</a>`);
    expect(page.body).toContain('lang="vi" aria-current="true">');
  });

  it('never escapes the markup of conditional attributes into text', async () => {
    const admin = await login(t.app, t.db, 'quantri');
    const lan = t.db.$client.prepare("SELECT id FROM users WHERE username = 'lan'").get() as { id: number };
    for (const url of ['/', '/admin/users', `/admin/users/${lan.id}`, `/admin/organisations/${orgs.communeA}`, '/admin/users/new', '/account']) {
      const page = await send(t.app, admin, { url });
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).not.toMatch(/[a-z-]+=&quot;/);
    }
  });

  it('shows dates as dd/mm/yyyy in Viet Nam time (a user’s creation date)', async () => {
    const admin = await login(t.app, t.db, 'quantri');
    const lan = t.db.$client.prepare("SELECT id FROM users WHERE username = 'lan'").get() as { id: number };
    t.db.$client.prepare("UPDATE users SET created_at = '2026-03-31T18:30:00.000Z' WHERE id = ?").run(lan.id);
    const page = await send(t.app, admin, { url: `/admin/users/${lan.id}` });
    expect(page.body).toContain(`<dt>${viMessages['user.created']}</dt><dd>01/04/2026</dd>`);
    expect(page.body).not.toContain('2026-03-31');
  });
});
