import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiKeyHash, createApiKey, createDemoApiKey, DEMO_API_KEY, generateApiKey, listApiKeys } from '../../src/api/keys.js';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type TestApp, type TestOrgs } from '../helpers/app.js';
import { freshDatabase, removeDatabase, type TestDatabase } from '../helpers/db.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KEY_PATTERN = /bvte_[a-z2-7]{32}/;

describe('API keys in the administration UI', () => {
  let t: TestApp;
  let orgs: TestOrgs;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    await seedUser(t.db, 'quantri_xa', [{ role: 'admin', orgId: orgs.communeB }]);
    await seedUser(t.db, 'lan', [{ role: 'commune_worker', orgId: orgs.communeA }]);
  });
  afterEach(async () => t.close());

  const keyRows = () => t.db.$client.prepare('SELECT id, org_id AS orgId, name, prefix, key_hash AS keyHash, revoked_at AS revokedAt FROM api_keys').all() as {
    id: number; orgId: number; name: string; prefix: string; keyHash: string; revokedAt: string | null;
  }[];

  it('creates a key shown once, stores only its hash, lists it and revokes it', async () => {
    const admin = await login(t.app, t.db, 'quantri');
    const empty = await send(t.app, admin, { url: '/admin/api-keys' });
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('href="/admin/api-keys"');

    const created = await send(t.app, admin, { method: 'POST', url: '/admin/api-keys', payload: { name: 'Tổng đài 111 — máy chủ chính', org_id: String(orgs.hotline) } });
    expect(created.statusCode).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    const key = created.body.match(KEY_PATTERN)?.[0];
    expect(key).toBeDefined();

    const [row] = keyRows();
    expect(row).toMatchObject({ orgId: orgs.hotline, name: 'Tổng đài 111 — máy chủ chính', keyHash: apiKeyHash(key ?? ''), revokedAt: null });
    expect(key?.startsWith(row?.prefix ?? '-')).toBe(true);
    // Nothing in the database holds the key itself.
    expect(JSON.stringify(t.db.$client.prepare('SELECT * FROM api_keys').all())).not.toContain(key);

    const list = await send(t.app, admin, { url: '/admin/api-keys' });
    expect(list.body).toContain('Tổng đài 111 — máy chủ chính');
    expect(list.body).toContain(row?.prefix);
    expect(list.body).not.toContain(key);

    const revoked = await send(t.app, admin, { method: 'POST', url: `/admin/api-keys/${row?.id}/revoke` });
    expect(revoked.statusCode).toBe(303);
    expect(keyRows()[0]?.revokedAt).toEqual(expect.any(String));
    const actions = auditActions(t.db).filter((entry) => entry.action.startsWith('apikey.'));
    expect(actions).toEqual([
      { action: 'apikey.create', outcome: 'allowed', entity_type: 'api_key', entity_id: String(row?.id) },
      { action: 'apikey.revoke', outcome: 'allowed', entity_type: 'api_key', entity_id: String(row?.id) },
    ]);

    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/intakes', headers: { authorization: `Bearer ${key}` }, payload: {} });
    expect(refused.statusCode).toBe(401);
  });

  it('keeps what was typed and refuses an organisation outside the administrator’s subtree', async () => {
    const admin = await login(t.app, t.db, 'quantri_xa');
    const response = await send(t.app, admin, { method: 'POST', url: '/admin/api-keys', payload: { name: 'Khóa thử', org_id: String(orgs.hotline) } });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('value="Khóa thử"');
    expect(response.body).not.toMatch(KEY_PATTERN);
    expect(keyRows()).toEqual([]);
  });

  it('lists only keys in the administrator’s subtree, and refuses revoking a key of another organisation (403)', async () => {
    const { id } = createApiKey(t.db, SYSTEM_AUDIT_CONTEXT, { orgId: orgs.hotline, name: 'Khóa tổng đài', createdBy: null });
    createApiKey(t.db, SYSTEM_AUDIT_CONTEXT, { orgId: orgs.communeB, name: 'Khóa phường', createdBy: null });
    const communeAdmin = await login(t.app, t.db, 'quantri_xa');
    const list = await send(t.app, communeAdmin, { url: '/admin/api-keys' });
    expect(list.body).toContain('Khóa phường');
    expect(list.body).not.toContain('Khóa tổng đài');

    const response = await send(t.app, communeAdmin, { method: 'POST', url: `/admin/api-keys/${id}/revoke` });
    expect(response.statusCode).toBe(403);
    expect(keyRows().find((row) => row.id === id)?.revokedAt).toBeNull();
    expect(auditActions(t.db)).toContainEqual({ action: 'apikey.manage', outcome: 'refused', entity_type: 'api_key', entity_id: String(id) });
  });

  it('refuses a commune worker (403) and hides the menu item', async () => {
    const worker = await login(t.app, t.db, 'lan');
    const page = await send(t.app, worker, { url: '/admin/api-keys' });
    expect(page.statusCode).toBe(403);
    const home = await send(t.app, worker, { url: '/' });
    expect(home.body).not.toContain('href="/admin/api-keys"');
    const create = await send(t.app, worker, { method: 'POST', url: '/admin/api-keys', payload: { name: 'Khóa', org_id: String(orgs.communeA) } });
    expect(create.statusCode).toBe(403);
    expect(keyRows()).toEqual([]);
  });
});

describe('API key generation', () => {
  let database: TestDatabase;
  beforeEach(() => {
    database = freshDatabase();
  });
  afterEach(() => removeDatabase(database));

  it('makes 160-bit base32 keys with the bvte_ marker, each different', () => {
    const keys = new Set(Array.from({ length: 50 }, generateApiKey));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(/^bvte_[a-z2-7]{32}$/);
  });

  it('stores the fixed demo key once, with the length of a real key', () => {
    const orgs = seedOrgs(database.db);
    expect(DEMO_API_KEY).toHaveLength(generateApiKey().length);
    expect(createDemoApiKey(database.db, orgs.hotline)).toBe(DEMO_API_KEY);
    expect(createDemoApiKey(database.db, orgs.hotline)).toBe(DEMO_API_KEY);
    expect(listApiKeys(database.db)).toHaveLength(1);
  });
});

// Each case starts real processes (about a second each to load TypeScript), so they get more time.
describe('bvte apikey (command line)', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let orgs: TestOrgs;
  beforeEach(() => {
    database = freshDatabase();
    orgs = seedOrgs(database.db);
  });
  afterEach(() => removeDatabase(database));

  function bvte(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, ['bin/bvte.js', ...args, '--data-dir', database.dataDir], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: undefined },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('creates (printing the key once), lists and revokes keys, audited', () => {
    const created = bvte(['apikey', 'create', '--org', String(orgs.hotline), '--name', 'Tổng đài 111']);
    expect(created).toMatchObject({ status: 0, stderr: '' });
    const key = created.stdout.match(KEY_PATTERN)?.[0] ?? '';
    const [row] = listApiKeys(database.db);
    expect(row).toMatchObject({ orgId: orgs.hotline, name: 'Tổng đài 111', revokedAt: null });
    expect(database.db.$client.prepare('SELECT key_hash AS hash FROM api_keys').get()).toEqual({ hash: apiKeyHash(key) });

    const list = bvte(['apikey', 'list']);
    expect(list).toMatchObject({ status: 0, stderr: '' });
    expect(list.stdout).toContain('Tổng đài 111');
    expect(list.stdout).toContain(row?.prefix);
    expect(list.stdout).not.toContain(key);

    const revoked = bvte(['apikey', 'revoke', String(row?.id)]);
    expect(revoked).toMatchObject({ status: 0, stderr: '' });
    expect(listApiKeys(database.db)[0]?.revokedAt).toEqual(expect.any(String));
    const again = bvte(['apikey', 'revoke', String(row?.id)]);
    expect(again).toMatchObject({ status: 0, stderr: '' });
    expect(again.stdout).toContain('already revoked');
    expect(auditActions(database.db).filter((entry) => entry.action.startsWith('apikey.')).map((entry) => entry.action)).toEqual(['apikey.create', 'apikey.revoke']);
  });

  it('refuses an unknown organisation, a missing name and an unknown key', () => {
    expect(bvte(['apikey', 'create', '--org', '999999', '--name', 'X']).status).toBe(1);
    expect(bvte(['apikey', 'create', '--org', String(orgs.hotline)]).status).toBe(2);
    expect(bvte(['apikey', 'revoke', '424242']).status).toBe(1);
    expect(listApiKeys(database.db)).toEqual([]);
  });
});
