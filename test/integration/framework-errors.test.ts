// Found by the bad-input sweep: requests Fastify refuses before routing (a path with broken
// percent-encoding, an over-long parameter) got Fastify's own English JSON, now the localised page;
// and a role switch with a JSON object for its assignment was a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vi } from '../../src/i18n/vi.js';
import { createTestApp, login, seedOrgs, seedUser, type TestApp } from '../helpers/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('errors raised before routing', () => {
  it.each([
    ['/admin/taxonomy/%FF%FE', 400],
    ['/cases/%C0%AF', 400],
    [`/admin/taxonomy/${'x'.repeat(300)}`, 414],
  ])('%s is answered with the localised error page', async (url, status) => {
    const response = await t.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toBeTruthy();
    expect(response.body).toContain('<html lang="vi">');
    expect(response.body).toContain(vi['error.bad_request']);
    expect(response.body).not.toContain('FST_ERR');
  });

  it('refuses a role switch whose assignment is not text (a JSON object was a 500)', async () => {
    const orgs = seedOrgs(t.db);
    await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    const worker = await login(t.app, t.db, 'canbo.a');
    const response = await t.app.inject({
      method: 'POST',
      url: '/session/role',
      headers: { cookie: worker.cookie, 'x-csrf-token': worker.csrf, 'content-type': 'application/json' },
      payload: JSON.stringify({ assignment: { toString: 'x' } }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(vi['error.bad_request']);
  });

  it('answers the API in JSON, still without Fastify’s details', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/%FF' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: vi['error.bad_request'] });
  });
});
