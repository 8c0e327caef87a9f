import { createHash } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { setUserDisabled } from '../../src/users/repository.js';
import { vi as viMessages } from '../../src/i18n/vi.js';
import {
  anonymous,
  auditActions,
  createTestApp,
  login,
  seedOrgs,
  seedUser,
  send,
  TEST_PASSWORD,
  type TestApp,
  type TestOrgs,
} from '../helpers/app.js';

const MINUTE = 60_000;

function cookie(response: LightMyRequestResponse, name: string) {
  return response.cookies.find((item) => item.name === name);
}

async function postLogin(app: FastifyInstance, username: string, password: string, extra: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const visitor = await anonymous(app);
  return app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: visitor.cookie },
    payload: { username, password, _csrf: visitor.csrf, ...extra },
  });
}

function sessionRows(t: TestApp, userId: number): Record<string, unknown>[] {
  return t.db.$client.prepare('SELECT * FROM sessions WHERE user_id = ?').all(userId) as Record<string, unknown>[];
}

describe('signing in and out', () => {
  let t: TestApp;
  let orgs: TestOrgs;
  let lanId: number;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    lanId = await seedUser(t.db, 'lan', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await t.close();
  });

  it('starts a new session at each sign-in, in an HttpOnly, SameSite=Lax cookie for the whole site', async () => {
    const first = await postLogin(t.app, 'lan', TEST_PASSWORD);
    const second = await postLogin(t.app, 'LAN', TEST_PASSWORD);
    for (const response of [first, second]) {
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/');
      expect(cookie(response, 'bvte_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      expect(cookie(response, 'bvte_session')?.secure).toBeFalsy();
    }
    const tokens = [cookie(first, 'bvte_session')?.value, cookie(second, 'bvte_session')?.value];
    expect(tokens[0]).not.toBe(tokens[1]);
    expect(sessionRows(t, lanId)).toHaveLength(2);
  });

  it('names the cookie __Host-bvte_session and marks it Secure when secure cookies are on', async () => {
    const secure = await createTestApp({ secureCookies: true });
    try {
      const orgId = seedOrgs(secure.db).province;
      await seedUser(secure.db, 'lan', [{ role: 'commune_worker', orgId }]);
      const page = await secure.app.inject({ url: '/login' });
      const csrf = cookie(page, '__Host-bvte_csrf');
      expect(csrf).toMatchObject({ secure: true, httpOnly: true, path: '/' });
      const response = await secure.app.inject({
        method: 'POST',
        url: '/login',
        headers: { cookie: `__Host-bvte_csrf=${csrf?.value}` },
        payload: { username: 'lan', password: TEST_PASSWORD, _csrf: csrf?.value ?? '' },
      });
      expect(response.statusCode).toBe(303);
      const session = cookie(response, '__Host-bvte_session');
      expect(session).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax', path: '/' });
      expect(session?.domain).toBeUndefined();
      expect(cookie(response, 'bvte_session')).toBeUndefined();
      const home = await secure.app.inject({ url: '/', headers: { cookie: `__Host-bvte_session=${session?.value}` } });
      expect(home.statusCode).toBe(200);
    } finally {
      await secure.close();
    }
  });

  it('stores only the SHA-256 of the session token, never the cookie value', async () => {
    const response = await postLogin(t.app, 'lan', TEST_PASSWORD);
    const token = cookie(response, 'bvte_session')?.value ?? '';
    expect(token).toMatch(/^[a-z2-7]{32}$/);
    const rows = sessionRows(t, lanId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id).toBe(createHash('sha256').update(token).digest('hex'));
    const everything = JSON.stringify(t.db.$client.prepare('SELECT * FROM sessions').all());
    expect(everything).not.toContain(token);
  });

  it('gives a wrong password and an unknown username the same status and the same page', async () => {
    const visitor = await anonymous(t.app);
    const attempt = (username: string) =>
      t.app.inject({
        method: 'POST',
        url: '/login',
        headers: { cookie: visitor.cookie },
        payload: { username, password: 'not the password', _csrf: visitor.csrf },
      });
    const wrongPassword = await attempt('lan');
    const unknownUser = await attempt('khongcoai');
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownUser.statusCode).toBe(401);
    expect(wrongPassword.body).toContain(viMessages['login.failed']);
    // The only difference allowed is the username typed back into the form.
    const typed = (username: string) => `name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${username}"`;
    expect(wrongPassword.body).toContain(typed('lan'));
    expect(unknownUser.body.replace(typed('khongcoai'), typed('lan'))).toBe(wrongPassword.body);
    expect(cookie(wrongPassword, 'bvte_session')).toBeUndefined();
    expect(cookie(unknownUser, 'bvte_session')).toBeUndefined();
  });

  it('refuses a disabled user even with the right password, with the same generic message', async () => {
    setUserDisabled(t.db, SYSTEM_AUDIT_CONTEXT, lanId, true);
    const response = await postLogin(t.app, 'lan', TEST_PASSWORD);
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain(viMessages['login.failed']);
    expect(cookie(response, 'bvte_session')).toBeUndefined();
    expect(sessionRows(t, lanId)).toHaveLength(0);
  });

  it('ends the session at sign-out, so the old cookie no longer works', async () => {
    const browser = await login(t.app, t.db, 'lan');
    expect((await send(t.app, browser, { url: '/' })).statusCode).toBe(200);
    const logout = await send(t.app, browser, { method: 'POST', url: '/logout' });
    expect(logout.statusCode).toBe(303);
    expect(logout.headers.location).toBe('/login');
    expect(cookie(logout, 'bvte_session')?.value).toBe('');
    expect(sessionRows(t, lanId)).toHaveLength(0);
    const after = await send(t.app, browser, { url: '/' });
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/login?next=%2F');
  });

  it('records sign-in, failed sign-in and sign-out in the audit log, with who did it', async () => {
    const browser = await login(t.app, t.db, 'lan');
    await send(t.app, browser, { method: 'POST', url: '/logout' });
    await postLogin(t.app, 'lan', 'not the password');
    const entries = t.db.$client
      .prepare("SELECT action, outcome, actor_user_id AS actor, entity_type AS type, entity_id AS id FROM audit_log WHERE action LIKE 'auth.%' ORDER BY id")
      .all();
    expect(entries).toEqual([
      { action: 'auth.login', outcome: 'allowed', actor: lanId, type: 'user', id: String(lanId) },
      { action: 'auth.logout', outcome: 'allowed', actor: lanId, type: 'user', id: String(lanId) },
      { action: 'auth.login_failed', outcome: 'refused', actor: null, type: 'user', id: String(lanId) },
    ]);
  });

  it('returns to the requested local page after sign-in', async () => {
    const response = await postLogin(t.app, 'lan', TEST_PASSWORD, { next: '/account?tab=1' });
    expect(response.headers.location).toBe('/account?tab=1');
  });

  it.each(['//evil.example', '/\\evil.example', 'https://evil.example/', '/\t/evil.example', 'javascript:alert(1)'])(
    'refuses to redirect off the site after sign-in (next=%j goes to /)',
    async (next) => {
      const response = await postLogin(t.app, 'lan', TEST_PASSWORD, { next });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/');
    },
  );

  it('does not put an off-site next= into the sign-in form', async () => {
    const page = await t.app.inject({ url: '/login?next=//evil.example' });
    expect(page.body).toContain('name="next" value="/"');
    expect(page.body).not.toContain('evil.example');
  });
});

describe('session lifetime', () => {
  let t: TestApp;
  let lanId: number;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-02T01:00:00Z'));
    t = await createTestApp();
    const orgs = seedOrgs(t.db);
    lanId = await seedUser(t.db, 'lan', [{ role: 'commune_worker', orgId: orgs.communeA }]);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await t.close();
  });

  const advance = (ms: number): void => {
    vi.setSystemTime(Date.now() + ms);
  };

  it('ends a session left idle for more than 30 minutes', async () => {
    const browser = await login(t.app, t.db, 'lan');
    advance(29 * MINUTE);
    expect((await send(t.app, browser, { url: '/' })).statusCode).toBe(200);
    advance(31 * MINUTE);
    const expired = await send(t.app, browser, { url: '/account' });
    expect(expired.statusCode).toBe(303);
    expect(expired.headers.location).toBe('/login?next=%2Faccount');
    expect(sessionRows(t, lanId)).toHaveLength(0);
  });

  it('ends a session 12 hours after sign-in however active it is', async () => {
    const browser = await login(t.app, t.db, 'lan');
    for (let elapsed = 20 * MINUTE; elapsed < 12 * 60 * MINUTE; elapsed += 20 * MINUTE) {
      advance(20 * MINUTE);
      expect((await send(t.app, browser, { url: '/' })).statusCode, `after ${elapsed / MINUTE} minutes`).toBe(200);
    }
    advance(20 * MINUTE);
    const expired = await send(t.app, browser, { url: '/' });
    expect(expired.statusCode).toBe(303);
    expect(expired.headers.location).toBe('/login?next=%2F');
  });
});

describe('ending all of a user’s sessions', () => {
  let t: TestApp;
  let lanId: number;

  beforeEach(async () => {
    t = await createTestApp();
    const orgs = seedOrgs(t.db);
    lanId = await seedUser(t.db, 'lan', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
  });
  afterEach(async () => t.close());

  it('ends every other session when the user changes their password, keeping this browser signed in', async () => {
    const here = await login(t.app, t.db, 'lan');
    const elsewhere = await login(t.app, t.db, 'lan');
    const newPassword = 'cánh cò bay lả bay la';
    const response = await send(t.app, here, {
      method: 'POST',
      url: '/account/password',
      payload: { current_password: TEST_PASSWORD, password: newPassword, password_confirm: newPassword },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(viMessages['account.password_changed']);
    expect((await send(t.app, elsewhere, { url: '/' })).statusCode).toBe(303);
    expect((await send(t.app, here, { url: '/' })).statusCode).toBe(303);
    const renewed = cookie(response, 'bvte_session')?.value;
    expect((await t.app.inject({ url: '/', headers: { cookie: `bvte_session=${renewed}` } })).statusCode).toBe(200);
    expect(sessionRows(t, lanId)).toHaveLength(1);
    expect(auditActions(t.db).map((entry) => entry.action)).toContain('user.password_change');
    expect((await postLogin(t.app, 'lan', newPassword)).statusCode).toBe(303);
    expect((await postLogin(t.app, 'lan', TEST_PASSWORD)).statusCode).toBe(401);
  });

  it('refuses a password change with the wrong current password and ends nothing', async () => {
    const here = await login(t.app, t.db, 'lan');
    const response = await send(t.app, here, {
      method: 'POST',
      url: '/account/password',
      payload: { current_password: 'not the password', password: 'cánh cò bay lả bay la', password_confirm: 'cánh cò bay lả bay la' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(viMessages['account.wrong_password']);
    expect((await send(t.app, here, { url: '/' })).statusCode).toBe(200);
  });

  it('ends every session of a user when an administrator asks, and only theirs', async () => {
    const lan = await login(t.app, t.db, 'lan');
    const admin = await login(t.app, t.db, 'quantri');
    const response = await send(t.app, admin, { method: 'POST', url: `/admin/users/${lanId}/sessions/end` });
    expect(response.statusCode).toBe(303);
    expect((await send(t.app, lan, { url: '/' })).statusCode).toBe(303);
    expect((await send(t.app, admin, { url: '/' })).statusCode).toBe(200);
    expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'user.sessions_end', entity_id: String(lanId) });
  });

  it('ends every session of a user who is disabled', async () => {
    const lan = await login(t.app, t.db, 'lan');
    const admin = await login(t.app, t.db, 'quantri');
    const response = await send(t.app, admin, { method: 'POST', url: `/admin/users/${lanId}/disable` });
    expect(response.statusCode).toBe(303);
    expect(sessionRows(t, lanId)).toHaveLength(0);
    expect((await send(t.app, lan, { url: '/' })).statusCode).toBe(303);
    expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'user.disable', entity_id: String(lanId) });
  });
});
