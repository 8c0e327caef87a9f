import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, login, seedOrgs, seedUser, send, type TestApp } from '../helpers/app.js';

describe('smoke', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  it('signs in an administrator who sees the organisation page', async () => {
    const orgs = seedOrgs(t.db);
    await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    const browser = await login(t.app, t.db, 'quantri');
    const home = await send(t.app, browser, { url: '/' });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Quản trị hệ thống');
    const org = await send(t.app, browser, { url: `/admin/organisations/${orgs.province}` });
    expect(org.statusCode).toBe(200);
    expect(org.body).toContain('Xã An Bình');
    const users = await send(t.app, browser, { url: '/admin/users' });
    expect(users.statusCode).toBe(200);
    expect(users.body).toContain('quantri');
  });
});
