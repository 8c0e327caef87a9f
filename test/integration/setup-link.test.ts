import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { issueSetupToken } from '../../src/auth/setup-link.js';
import { vi as viMessages } from '../../src/i18n/vi.js';
import { anonymous, createTestApp, seedOrgs, seedUser, type TestApp } from '../helpers/app.js';

const MINUTE = 60_000;

const ADMIN = {
  org_name: 'Tỉnh Bắc Ninh',
  org_kind: 'province',
  display_name: 'Trần Văn Quản',
  username: 'tran.quan',
};
const GOOD_PASSWORD = 'cánh cò bay lả bay la';

describe('the one-time setup link', () => {
  let t: TestApp;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-02T01:00:00Z'));
    t = await createTestApp();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await t.close();
  });

  async function submit(token: string, fields: Record<string, string>) {
    const visitor = await anonymous(t.app);
    return t.app.inject({ method: 'POST', url: `/setup/${token}`, headers: { cookie: visitor.cookie }, payload: { ...fields, _csrf: visitor.csrf } });
  }

  const count = (table: string): number => (t.db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

  it('is issued on an empty database and shows the setup form', async () => {
    const token = issueSetupToken(t.db, t.app.config.setupLinkMs);
    expect(token).toMatch(/^[a-z2-7]{32}$/);
    const page = await t.app.inject({ url: `/setup/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(viMessages['setup.intro']);
    expect(page.body).toContain('name="org_name"');
    expect(page.body).toContain('name="password_confirm"');
  });

  it('stores only a digest of the link’s token', () => {
    const token = issueSetupToken(t.db, t.app.config.setupLinkMs) ?? '';
    expect(JSON.stringify(t.db.$client.prepare('SELECT * FROM setup_tokens').all())).not.toContain(token);
  });

  it('re-shows the form with the error and what was typed when the password is weak, creating nothing', async () => {
    const token = issueSetupToken(t.db, t.app.config.setupLinkMs) ?? '';
    const response = await submit(token, { ...ADMIN, password: 'ngan', password_confirm: 'ngan' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(viMessages['password.too_short']);
    expect(response.body).toContain(`value="${ADMIN.username}"`);
    expect(response.body).toContain(`value="${ADMIN.org_name}"`);
    expect(response.body).toContain(`value="${ADMIN.display_name}"`);
    expect(response.body).not.toContain('value="ngan"');
    expect([count('users'), count('organisations')]).toEqual([0, 0]);
    // The failed attempt does not spend the link.
    expect((await t.app.inject({ url: `/setup/${token}` })).statusCode).toBe(200);
  });

  it('creates the first administrator and top organisation, and signs them in', async () => {
    const token = issueSetupToken(t.db, t.app.config.setupLinkMs) ?? '';
    const response = await submit(token, { ...ADMIN, password: GOOD_PASSWORD, password_confirm: GOOD_PASSWORD });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    const session = response.cookies.find((cookie) => cookie.name === 'bvte_session');
    expect(session?.value).toMatch(/^[a-z2-7]{32}$/);

    const org = t.db.$client.prepare('SELECT id, name, kind, parent_id AS parentId FROM organisations').all();
    expect(org).toEqual([{ id: expect.any(Number), name: ADMIN.org_name, kind: 'province', parentId: null }]);
    const roles = t.db.$client.prepare('SELECT u.username, a.role FROM users u JOIN role_assignments a ON a.user_id = u.id').all();
    expect(roles).toEqual([{ username: ADMIN.username, role: 'admin' }]);

    const home = await t.app.inject({ url: '/', headers: { cookie: `bvte_session=${session?.value}` } });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain(ADMIN.display_name);
    expect(home.body).toContain(viMessages['role.admin']);
    expect(t.db.$client.prepare("SELECT action FROM audit_log WHERE action LIKE 'setup.%' ORDER BY id").all()).toEqual([
      { action: 'setup.link_issued' },
      { action: 'setup.complete' },
    ]);
  });

  it('works only once: the same link afterwards is gone (410)', async () => {
    const token = issueSetupToken(t.db, t.app.config.setupLinkMs) ?? '';
    await submit(token, { ...ADMIN, password: GOOD_PASSWORD, password_confirm: GOOD_PASSWORD });
    const again = await t.app.inject({ url: `/setup/${token}` });
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain(viMessages['setup.invalid']);
    const resubmitted = await submit(token, { ...ADMIN, username: 'ke.gian', password: GOOD_PASSWORD, password_confirm: GOOD_PASSWORD });
    expect(resubmitted.statusCode).toBe(410);
    expect(count('users')).toBe(1);
  });

  it('expires after 30 minutes', async () => {
    const token = issueSetupToken(t.db, t.app.config.setupLinkMs) ?? '';
    vi.setSystemTime(Date.now() + 29 * MINUTE);
    expect((await t.app.inject({ url: `/setup/${token}` })).statusCode).toBe(200);
    vi.setSystemTime(Date.now() + 2 * MINUTE);
    expect((await t.app.inject({ url: `/setup/${token}` })).statusCode).toBe(410);
    const late = await submit(token, { ...ADMIN, password: GOOD_PASSWORD, password_confirm: GOOD_PASSWORD });
    expect(late.statusCode).toBe(410);
    expect(count('users')).toBe(0);
  });

  it('refuses a made-up token', async () => {
    issueSetupToken(t.db, t.app.config.setupLinkMs);
    expect((await t.app.inject({ url: `/setup/${'a'.repeat(32)}` })).statusCode).toBe(410);
  });

  it('replaces an earlier unused link when a new one is issued', async () => {
    const first = issueSetupToken(t.db, t.app.config.setupLinkMs) ?? '';
    const second = issueSetupToken(t.db, t.app.config.setupLinkMs) ?? '';
    expect((await t.app.inject({ url: `/setup/${first}` })).statusCode).toBe(410);
    expect((await t.app.inject({ url: `/setup/${second}` })).statusCode).toBe(200);
  });

  it('is not issued once any user exists, and an outstanding link stops working', async () => {
    const token = issueSetupToken(t.db, t.app.config.setupLinkMs) ?? '';
    const orgs = seedOrgs(t.db);
    await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    expect(issueSetupToken(t.db, t.app.config.setupLinkMs)).toBeNull();
    expect((await t.app.inject({ url: `/setup/${token}` })).statusCode).toBe(410);
  });
});
