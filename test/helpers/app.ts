import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { hashPassword } from '../../src/auth/password.js';
import { sessionIdFromToken } from '../../src/auth/session.js';
import { testConfig, type Config } from '../../src/config/config.js';
import type { Db } from '../../src/db/client.js';
import { createOrganisation } from '../../src/orgs/repository.js';
import type { OrgKind } from '../../src/orgs/schema.js';
import type { Role } from '../../src/permissions/roles.js';
import { createUser } from '../../src/users/repository.js';
import { freshDatabase, removeDatabase, type TestDatabase } from './db.js';

export const TEST_PASSWORD = 'correct horse battery';

let passwordHash: Promise<string> | null = null;
/** Hashing is deliberately slow; one hash serves every test user. */
function testPasswordHash(): Promise<string> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  return passwordHash;
}

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  database: TestDatabase;
  close(): Promise<void>;
}

/** `extend` adds test-only routes to the real app before it starts (e.g. one that fails, or one guarded by a given permission). */
export async function createTestApp(
  overrides: Partial<Config> = {},
  extend?: (app: FastifyInstance) => void,
): Promise<TestApp> {
  const database = freshDatabase();
  const app = await buildApp({ config: testConfig({ dataDir: database.dataDir, ...overrides }), db: database.db });
  extend?.(app);
  await app.ready();
  return {
    app,
    db: database.db,
    database,
    async close() {
      await app.close();
      removeDatabase(database);
    },
  };
}

export interface TestOrgs {
  province: number;
  communeA: number;
  communeB: number;
  schoolA: number;
  schoolB: number;
  socialWorkCentre: number;
  hotline: number;
}

/** A small tree: a province with two communes, a school in each, a social work centre and the hotline. */
export function seedOrgs(db: Db): TestOrgs {
  const add = (name: string, kind: OrgKind, parentId: number | null): number =>
    createOrganisation(db, SYSTEM_AUDIT_CONTEXT, { name, kind, parentId });
  const province = add('Tỉnh Thử Nghiệm', 'province', null);
  const communeA = add('Xã An Bình', 'commune', province);
  const communeB = add('Phường Đông Hòa', 'commune', province);
  return {
    province,
    communeA,
    communeB,
    schoolA: add('Trường Tiểu học An Bình', 'school', communeA),
    schoolB: add('Trường Mầm non Đông Hòa', 'school', communeB),
    socialWorkCentre: add('Trung tâm Công tác xã hội tỉnh', 'social_work_centre', province),
    hotline: add('Tổng đài 111', 'hotline', province),
  };
}

export async function seedUser(
  db: Db,
  username: string,
  assignments: { role: Role; orgId: number }[],
  homeOrgId = assignments[0]?.orgId ?? 1,
): Promise<number> {
  return createUser(db, SYSTEM_AUDIT_CONTEXT, {
    username,
    displayName: `Người dùng ${username}`,
    passwordHash: await testPasswordHash(),
    homeOrgId,
    assignments,
  });
}

/** A signed-in browser: its cookie and the CSRF token the pages would give it. */
export interface Browser {
  cookie: string;
  csrf: string;
}

function cookieValue(response: LightMyRequestResponse, name: string): string | undefined {
  return response.cookies.find((cookie) => cookie.name === name)?.value;
}

/** An anonymous visitor, holding the double-submit CSRF cookie a first page view gives. */
export async function anonymous(app: FastifyInstance): Promise<Browser> {
  const response = await app.inject({ method: 'GET', url: '/login' });
  const csrf = cookieValue(response, 'bvte_csrf');
  if (!csrf) throw new Error('no CSRF cookie on /login');
  return { cookie: `bvte_csrf=${csrf}`, csrf };
}

export async function login(app: FastifyInstance, db: Db, username: string, password = TEST_PASSWORD): Promise<Browser> {
  const visitor = await anonymous(app);
  const response = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { cookie: visitor.cookie },
    payload: { username, password, _csrf: visitor.csrf },
  });
  const token = cookieValue(response, 'bvte_session');
  if (response.statusCode !== 303 || !token) throw new Error(`login as ${username} failed: ${response.statusCode}`);
  const row = db.$client.prepare('SELECT csrf_token AS csrf FROM sessions WHERE id = ?').get(sessionIdFromToken(token)) as { csrf: string };
  return { cookie: `bvte_session=${token}`, csrf: row.csrf };
}

/** Sends a request as the browser would: its cookie, and for writes its CSRF token in the form body. */
export function send(app: FastifyInstance, browser: Browser | null, options: InjectOptions): Promise<LightMyRequestResponse> {
  const method = (options.method ?? 'GET').toUpperCase();
  const headers = { ...(options.headers ?? {}), ...(browser ? { cookie: browser.cookie } : {}) };
  if (method === 'GET' || !browser) return app.inject({ ...options, headers });
  const payload = typeof options.payload === 'object' && options.payload !== null ? options.payload : {};
  return app.inject({ ...options, headers, payload: { _csrf: browser.csrf, ...(payload as Record<string, unknown>) } });
}

export function auditActions(db: Db): { action: string; outcome: string; entity_type: string | null; entity_id: string | null }[] {
  return db.$client.prepare('SELECT action, outcome, entity_type, entity_id FROM audit_log ORDER BY id').all() as never;
}
