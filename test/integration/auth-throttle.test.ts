import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { en } from '../../src/i18n/en.js';
import { vi as viMessages } from '../../src/i18n/vi.js';
import { anonymous, auditActions, createTestApp, seedOrgs, seedUser, TEST_PASSWORD, type TestApp } from '../helpers/app.js';

const SECOND = 1_000;

interface Attempt {
  remoteAddress?: string;
  language?: 'en';
}

async function attemptLogin(app: FastifyInstance, username: string, password: string, options: Attempt = {}): Promise<LightMyRequestResponse> {
  const visitor = await anonymous(app);
  const cookie = options.language ? `${visitor.cookie}; bvte_lang=${options.language}` : visitor.cookie;
  return app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie },
    payload: { username, password, _csrf: visitor.csrf },
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });
}

/** The page without what legitimately differs between two visitors: their CSRF token and the typed username. */
function normalised(response: LightMyRequestResponse, username: string): string {
  return response.body.replace(/\b[a-z2-7]{32}\b/g, 'TOKEN').replace(`value="${username}"`, 'value="USERNAME"');
}

describe('login throttling', () => {
  let t: TestApp;

  beforeEach(async () => {
    // Installed before the app is built: the throttles read the clock they were given at construction.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-02T01:00:00Z'));
    t = await createTestApp();
    const orgs = seedOrgs(t.db);
    await seedUser(t.db, 'lan', [{ role: 'commune_worker', orgId: orgs.communeA }]);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await t.close();
  });

  const advance = (ms: number): void => {
    vi.setSystemTime(Date.now() + ms);
  };

  it('throttles an account after a failure, refusing even the right password during the wait', async () => {
    expect((await attemptLogin(t.app, 'lan', 'wrong password')).statusCode).toBe(401);
    const throttled = await attemptLogin(t.app, 'lan', TEST_PASSWORD);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.body).toContain(viMessages['login.throttled']);
    expect(throttled.cookies.find((cookie) => cookie.name === 'bvte_session')).toBeUndefined();
    expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'auth.login_throttled', outcome: 'refused' });

    advance(1 * SECOND);
    expect((await attemptLogin(t.app, 'lan', TEST_PASSWORD)).statusCode).toBe(303);
  });

  it('makes the wait longer with each further failure', async () => {
    await attemptLogin(t.app, 'lan', 'wrong password');
    advance(1 * SECOND);
    expect((await attemptLogin(t.app, 'lan', 'wrong password')).statusCode).toBe(401);
    advance(1 * SECOND);
    expect((await attemptLogin(t.app, 'lan', TEST_PASSWORD)).statusCode).toBe(429);
    advance(1 * SECOND);
    expect((await attemptLogin(t.app, 'lan', TEST_PASSWORD)).statusCode).toBe(303);
  });

  it('counts the account whatever the case the username is typed in', async () => {
    await attemptLogin(t.app, 'LAN', 'wrong password');
    expect((await attemptLogin(t.app, 'lan', TEST_PASSWORD)).statusCode).toBe(429);
  });

  it('shows the throttled message in the visitor’s language', async () => {
    await attemptLogin(t.app, 'lan', 'wrong password');
    const throttled = await attemptLogin(t.app, 'lan', TEST_PASSWORD, { language: 'en' });
    expect(throttled.statusCode).toBe(429);
    expect(throttled.body).toContain(en['login.throttled']);
  });

  it('throttles an unknown username exactly like a real one, so throttling does not reveal which accounts exist', async () => {
    await attemptLogin(t.app, 'lan', 'wrong password');
    await attemptLogin(t.app, 'khongcoai', 'wrong password');
    const real = await attemptLogin(t.app, 'lan', 'wrong password');
    const unknown = await attemptLogin(t.app, 'khongcoai', 'wrong password');
    expect(real.statusCode).toBe(429);
    expect(unknown.statusCode).toBe(429);
    expect(normalised(unknown, 'khongcoai')).toBe(normalised(real, 'lan'));
  });

  it('resets the account throttle after a successful sign-in', async () => {
    await attemptLogin(t.app, 'lan', 'wrong password');
    advance(1 * SECOND);
    await attemptLogin(t.app, 'lan', 'wrong password');
    advance(2 * SECOND);
    expect((await attemptLogin(t.app, 'lan', TEST_PASSWORD)).statusCode).toBe(303);
    // Without the reset this would be the third failure in a row, with a 4 s wait; after it, the first, with 1 s.
    await attemptLogin(t.app, 'lan', 'wrong password');
    advance(1 * SECOND);
    expect((await attemptLogin(t.app, 'lan', TEST_PASSWORD)).statusCode).toBe(303);
  });

  it('throttles one address spraying many usernames, without affecting other addresses', async () => {
    const sprayer = '203.0.113.7';
    for (let i = 0; i < 20; i += 1) {
      const response = await attemptLogin(t.app, `nguoi${i}`, 'wrong password', { remoteAddress: sprayer });
      expect(response.statusCode, `attempt ${i + 1}`).toBe(401);
    }
    const blocked = await attemptLogin(t.app, 'nguoi20', 'wrong password', { remoteAddress: sprayer });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.body).toContain(viMessages['login.throttled']);
    // Even a real user with the right password waits while the address is blocked.
    expect((await attemptLogin(t.app, 'lan', TEST_PASSWORD, { remoteAddress: sprayer })).statusCode).toBe(429);
    expect((await attemptLogin(t.app, 'lan', TEST_PASSWORD, { remoteAddress: '198.51.100.4' })).statusCode).toBe(303);

    advance(10 * SECOND);
    expect((await attemptLogin(t.app, 'nguoi21', 'wrong password', { remoteAddress: sprayer })).statusCode).toBe(401);
    expect((await attemptLogin(t.app, 'nguoi22', 'wrong password', { remoteAddress: sprayer })).statusCode).toBe(429);
  });
});
