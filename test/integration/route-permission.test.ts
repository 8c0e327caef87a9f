import type * as FastifyModule from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/config.js';
import { en } from '../../src/i18n/en.js';
import { vi as viMessages } from '../../src/i18n/vi.js';
import { MissingPermissionError } from '../../src/permissions/plugin.js';
import { isAction } from '../../src/permissions/rules.js';
import { PUBLIC } from '../../src/web/types.js';
import { freshDatabase, removeDatabase, type TestDatabase } from '../helpers/db.js';
import { createTestApp, login, seedOrgs, seedUser, send, type TestApp } from '../helpers/app.js';

interface RegisteredRoute {
  method: string;
  url: string;
  permission: unknown;
}

/** Every Fastify instance in this file records its routes as they register, before any plugin can refuse them. */
const registered = vi.hoisted((): RegisteredRoute[] => []);
vi.mock('fastify', async (importOriginal) => {
  const actual = await importOriginal<typeof FastifyModule>();
  const recording = (options?: FastifyServerOptions): FastifyInstance => {
    const app = actual.default(options) as unknown as FastifyInstance;
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        registered.push({ method, url: route.url, permission: (route.config as { permission?: unknown } | undefined)?.permission });
      }
    });
    return app;
  };
  return { ...actual, default: recording };
});

describe('every route declares a permission', () => {
  let database: TestDatabase;
  let app: FastifyInstance | null;

  beforeEach(() => {
    database = freshDatabase();
    app = null;
  });
  afterEach(async () => {
    await app?.close();
    removeDatabase(database);
  });

  async function build(): Promise<FastifyInstance> {
    app = await buildApp({ config: testConfig({ dataDir: database.dataDir }), db: database.db });
    return app;
  }

  it('refuses to register a route with no permission', async () => {
    const built = await build();
    expect(() => built.get('/undeclared', async () => 'reachable')).toThrow(MissingPermissionError);
  });

  it('refuses to register a route whose permission is not in the rules', async () => {
    const built = await build();
    expect(() => built.get('/misspelt', { config: { permission: 'case.reed' as never } }, async () => 'reachable')).toThrow(
      MissingPermissionError,
    );
  });

  it('gives every route of the real application a known permission or PUBLIC', async () => {
    registered.length = 0;
    await (await build()).ready();
    const urls = registered.map((route) => route.url);
    // The recording really saw the application's routes, public and protected.
    expect(urls).toEqual(expect.arrayContaining(['/login', '/healthz', '/', '/admin/users/:id', '/admin/organisations/:id/move']));
    const undeclared = registered.filter((route) => !(route.permission === PUBLIC || isAction(route.permission)));
    expect(undeclared).toEqual([]);
  });

  it('lists every registered route with what it declared, for the sweeps to enumerate', async () => {
    registered.length = 0;
    const built = await build();
    await built.ready();
    const declared = built.declaredRoutes.map((route) => ({ method: route.method, url: route.url, permission: route.permission }));
    expect(declared).toEqual(registered);
    expect(built.declaredRoutes).toContainEqual({ method: 'POST', url: '/api/v1/intakes', permission: 'intake.api', auth: 'api_key', csrf: false });
  });

  it('keeps administration routes out of PUBLIC', async () => {
    registered.length = 0;
    await (await build()).ready();
    const exposed = registered.filter((route) => /^\/(admin|account|session)\b/.test(route.url) && route.permission === PUBLIC);
    expect(exposed).toEqual([]);
  });
});

describe('a route guarded by a permission', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp({}, (app) => {
      app.get('/test/cases', { config: { permission: 'case.read' } }, async () => 'case list');
    });
    const orgs = seedOrgs(t.db);
    await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    await seedUser(t.db, 'lan', [{ role: 'commune_worker', orgId: orgs.communeA }]);
  });
  afterEach(async () => t.close());

  function refusals(): unknown[] {
    return t.db.$client.prepare("SELECT action, actor_user_id AS actor, actor_role AS role FROM audit_log WHERE outcome = 'refused'").all();
  }

  it('refuses a role the rules do not allow (an administrator reading cases) with a localised page, and audits it', async () => {
    const admin = await login(t.app, t.db, 'quantri');
    const response = await send(t.app, admin, { url: '/test/cases' });
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain('case list');
    expect(response.body).toContain(viMessages['error.title_403']);
    expect(response.body).toContain(viMessages['error.forbidden']);
    expect(refusals()).toEqual([{ action: 'case.read', actor: expect.any(Number), role: 'admin' }]);

    await send(t.app, admin, { method: 'POST', url: '/language', payload: { locale: 'en' } });
    const english = await send(t.app, admin, { url: '/test/cases' });
    expect(english.statusCode).toBe(403);
    expect(english.body).toContain(en['error.forbidden']);
    expect(english.body).toContain('<html lang="en">');
    expect(refusals()).toHaveLength(2);
  });

  it('lets an allowed role (a commune worker) through to the handler', async () => {
    const worker = await login(t.app, t.db, 'lan');
    const response = await send(t.app, worker, { url: '/test/cases' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('case list');
    expect(refusals()).toEqual([]);
  });

  it('sends an anonymous visitor to sign in, remembering the page', async () => {
    const response = await t.app.inject({ url: '/test/cases?page=2' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/login?next=${encodeURIComponent('/test/cases?page=2')}`);
    expect(response.body).not.toContain('case list');
  });

  it('tells htmx to send an anonymous visitor to sign in instead of swapping in the login page', async () => {
    const response = await t.app.inject({ url: '/test/cases', headers: { 'hx-request': 'true' } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['hx-redirect']).toBe('/login?next=%2Ftest%2Fcases');
  });

  it('refuses a signed-in user whose role was ended since they signed in', async () => {
    const worker = await login(t.app, t.db, 'lan');
    t.db.$client.prepare("UPDATE role_assignments SET ended_at = '2026-01-01T00:00:00.000Z'").run();
    const response = await send(t.app, worker, { url: '/test/cases' });
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain('case list');
  });
});
