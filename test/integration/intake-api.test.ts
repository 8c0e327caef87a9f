import Database from 'better-sqlite3';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIntakeSubmitter, idempotencyFor } from '../../src/api/intake.js';
import type { IntakeBody } from '../../src/api/intake-schema.js';
import { createApiKey, generateApiKey, revokeApiKey } from '../../src/api/keys.js';
import { buildApp } from '../../src/app.js';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { verifyAuditChain } from '../../src/audit/verify.js';
import { testConfig } from '../../src/config/config.js';
import { MissingPermissionError } from '../../src/permissions/plugin.js';
import { freshDatabase, removeDatabase } from '../helpers/db.js';
import { createTestApp, login, seedOrgs, seedUser, type TestApp, type TestOrgs } from '../helpers/app.js';

const URL_PATH = '/api/v1/intakes';

function validBody(orgs: TestOrgs, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    receivedAt: '2026-03-02T08:30:00+07:00',
    medium: 'phone',
    child: { name: 'Nguyễn Văn An', estimatedAge: 9, sex: 'male' },
    residenceCommuneId: orgs.communeA,
    incidentPlace: 'Nhà trọ gần khu công nghiệp',
    description: 'Hàng xóm nghe thấy tiếng trẻ khóc và tiếng đánh nhiều lần trong tuần.',
    currentCondition: 'Có vết bầm ở tay',
    immediateDanger: false,
    categories: ['abuse_violence_physical'],
    reporter: { consented: true, relation: 'Hàng xóm', name: 'Trần Thị Bình', phone: '0912 345 678', address: 'Xã An Bình' },
    ...overrides,
  };
}

describe('POST /api/v1/intakes', () => {
  let t: TestApp;
  let orgs: TestOrgs;
  let key: string;
  let keyId: number;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    ({ id: keyId, key } = createApiKey(t.db, SYSTEM_AUDIT_CONTEXT, { orgId: orgs.hotline, name: 'Tổng đài thử nghiệm', createdBy: null }));
  });
  afterEach(async () => t.close());

  function post(body: unknown, headers: Record<string, string> = {}, bearer: string | null = key): Promise<LightMyRequestResponse> {
    return t.app.inject({
      method: 'POST',
      url: URL_PATH,
      headers: { 'content-type': 'application/json', ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }), ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  const count = (table: string): number => (t.db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const audits = (action: string) =>
    t.db.$client.prepare('SELECT actor_user_id AS userId, actor_role AS role, actor_org_id AS orgId, outcome, entity_type AS type, entity_id AS id FROM audit_log WHERE action = ?').all(action);

  function expectJson(response: LightMyRequestResponse): void {
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body.trimStart().startsWith('<')).toBe(false);
  }

  describe('accepted', () => {
    it('opens a case in intake in the responsible commune, from the api channel, and answers 201 with reference and url', async () => {
      const response = await post(validBody(orgs));
      expect(response.statusCode).toBe(201);
      expectJson(response);
      const body = response.json() as { reference: string; url: string };
      expect(Object.keys(body).sort()).toEqual(['reference', 'url']);
      expect(body.reference).toMatch(/^BV-2026-\d{6}$/);
      const row = t.db.$client.prepare('SELECT id, org_id AS orgId, state, channel, received_at AS receivedAt FROM cases WHERE reference = ?').get(body.reference) as {
        id: number; orgId: number; state: string; channel: string; receivedAt: string;
      };
      expect(row).toMatchObject({ orgId: orgs.communeA, state: 'intake', channel: 'api', receivedAt: '2026-03-02T01:30:00.000Z' });
      expect(body.url).toBe(`${t.app.config.publicUrl}/cases/${row.id}`);

      const intake = t.db.$client.prepare('SELECT channel, medium, source_org_id AS sourceOrgId, child_name AS childName, recorded_by AS recordedBy FROM intakes WHERE case_id = ?').get(row.id);
      expect(intake).toEqual({ channel: 'api', medium: 'phone', sourceOrgId: orgs.hotline, childName: 'Nguyễn Văn An', recordedBy: null });
      expect(t.db.$client.prepare('SELECT code FROM case_categories WHERE case_id = ?').all(row.id)).toEqual([{ code: 'abuse_violence_physical' }]);

      const actor = { userId: null, role: 'api_key', orgId: orgs.hotline, outcome: 'allowed' };
      expect(audits('case.create')).toEqual([{ ...actor, type: 'case', id: String(row.id) }]);
      expect(audits('api.intake')).toEqual([{ ...actor, type: 'api_key', id: String(keyId) }]);
      expect(t.db.$client.prepare('SELECT last_used_at AS at FROM api_keys WHERE id = ?').get(keyId)).toEqual({ at: expect.any(String) });
    });

    it('defaults receivedAt to now and routes to the incident commune when the residence is unknown', async () => {
      const before = Date.now();
      const response = await post(validBody(orgs, { receivedAt: undefined, residenceCommuneId: null, incidentCommuneId: orgs.communeB }));
      expect(response.statusCode).toBe(201);
      const row = t.db.$client.prepare('SELECT org_id AS orgId, received_at AS receivedAt FROM cases').get() as { orgId: number; receivedAt: string };
      expect(row.orgId).toBe(orgs.communeB);
      expect(Date.parse(row.receivedAt)).toBeGreaterThanOrEqual(before - 1000);
    });

    it('keeps the reporter identity only with consent', async () => {
      const reporter = { consented: false, relation: 'Hàng xóm', name: 'Trần Thị Bình', phone: '0912345678', address: 'Xã An Bình' };
      expect((await post(validBody(orgs, { reporter }))).statusCode).toBe(201);
      expect((await post(validBody(orgs))).statusCode).toBe(201);
      const rows = t.db.$client
        .prepare('SELECT reporter_consented AS consented, reporter_relation AS relation, reporter_name AS name, reporter_phone AS phone, reporter_address AS address FROM intakes ORDER BY id')
        .all();
      expect(rows).toEqual([
        { consented: 0, relation: 'Hàng xóm', name: null, phone: null, address: null },
        { consented: 1, relation: 'Hàng xóm', name: 'Trần Thị Bình', phone: '0912 345 678', address: 'Xã An Bình' },
      ]);
    });
  });

  describe('refused input: 400 with the path of each problem, and nothing created', () => {
    async function errorsFor(body: unknown): Promise<{ path: string; message: string }[]> {
      const response = await post(body);
      expect(response.statusCode).toBe(400);
      expectJson(response);
      const json = response.json() as { errors: { path: string; message: string }[] };
      expect(Object.keys(json)).toEqual(['errors']);
      for (const error of json.errors) expect(error).toEqual({ path: expect.any(String), message: expect.any(String) });
      expect(count('cases')).toBe(0);
      return json.errors;
    }

    it('a missing description', async () => {
      const { description: _omitted, ...body } = validBody(orgs);
      expect(await errorsFor(body)).toEqual([{ path: '/description', message: 'is required' }]);
    });

    it('a blank description', async () => {
      expect(await errorsFor(validBody(orgs, { description: '   ' }))).toEqual([{ path: '/description', message: 'must not be blank' }]);
    });

    it('wrong types, each reported at its path, without coercion', async () => {
      const errors = await errorsFor(validBody(orgs, { child: { name: 42, estimatedAge: '9' }, immediateDanger: 'true', categories: 'abuse_violence' }));
      expect(errors).toEqual(
        expect.arrayContaining([
          { path: '/child/name', message: 'must be a string' },
          { path: '/child/estimatedAge', message: 'must be an integer or null' },
          { path: '/immediateDanger', message: 'must be true or false' },
          { path: '/categories', message: 'must be an array' },
        ]),
      );
      expect(errors).toHaveLength(4);
    });

    it('values out of range: enums, ages, formats and lengths', async () => {
      const errors = await errorsFor(
        validBody(orgs, {
          medium: 'fax',
          receivedAt: '2026-03-02 yesterday',
          child: { name: 'An', estimatedAge: 18, birthDate: '2020-02-30', sex: 'x' },
          incidentPlace: 'x'.repeat(501),
        }),
      );
      expect(errors.map((error) => error.path).sort()).toEqual(['/child/birthDate', '/child/estimatedAge', '/child/sex', '/incidentPlace', '/medium', '/receivedAt']);
      expect(errors).toContainEqual({ path: '/medium', message: 'must be one of: phone, in_person, third_party, online, system' });
      expect(errors).toContainEqual({ path: '/incidentPlace', message: 'must be at most 500 characters' });
    });

    it('an unknown or inactive category code', async () => {
      t.db.$client.prepare("UPDATE taxonomy_codes SET active = 0 WHERE code = 'abuse_neglect'").run();
      const errors = await errorsFor(validBody(orgs, { categories: ['abuse_violence_physical', 'no_such_code', 'abuse_neglect'] }));
      expect(errors).toEqual([
        { path: '/categories/1', message: 'is not an active category code' },
        { path: '/categories/2', message: 'is not an active category code' },
      ]);
    });

    it('an additional property, at the top and nested', async () => {
      const body = validBody(orgs, { priority: 'high' });
      (body.child as Record<string, unknown>).nickname = 'Bin';
      expect(await errorsFor(body)).toEqual(
        expect.arrayContaining([
          { path: '/priority', message: 'is not a known field' },
          { path: '/child/nickname', message: 'is not a known field' },
        ]),
      );
    });

    it('no active commune to route it to', async () => {
      expect(await errorsFor(validBody(orgs, { residenceCommuneId: orgs.schoolA, incidentCommuneId: 999_999 }))).toEqual([
        { path: '/residenceCommuneId', message: expect.stringContaining('commune') },
      ]);
    });

    it('a receivedAt in the future, or one the format allows but no clock has (a leap second)', async () => {
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect(await errorsFor(validBody(orgs, { receivedAt: future }))).toEqual([{ path: '/receivedAt', message: 'must not be in the future' }]);
      expect(await errorsFor(validBody(orgs, { receivedAt: '2025-12-31T23:59:60Z' }))).toEqual([{ path: '/receivedAt', message: expect.stringContaining('ISO 8601') }]);
    });

    it('a body that is not JSON, or not an object', async () => {
      expect(await errorsFor('{"description": ')).toEqual([{ path: '', message: 'The body is not valid JSON.' }]);
      expect(await errorsFor([])).toEqual([{ path: '', message: 'must be an object' }]);
    });
  });

  describe('authentication', () => {
    function authFailures(): unknown[] {
      return t.db.$client.prepare("SELECT outcome FROM audit_log WHERE action = 'api.auth_failed'").all();
    }

    async function expectRefused(headers: Record<string, string>, bearer: string | null, body: unknown = validBody(orgs)): Promise<void> {
      const response = await post(body, headers, bearer);
      expect(response.statusCode).toBe(401);
      expectJson(response);
      expect(response.json()).toEqual({ error: expect.stringContaining('API key') });
    }

    it('refuses a missing, malformed, unknown or revoked key with 401 JSON, audits each refusal and creates nothing', async () => {
      await expectRefused({}, null);
      await expectRefused({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, null);
      await expectRefused({}, 'not-a-key');
      await expectRefused({}, generateApiKey());
      revokeApiKey(t.db, SYSTEM_AUDIT_CONTEXT, keyId);
      await expectRefused({}, key);
      expect(authFailures()).toEqual(Array.from({ length: 5 }, () => ({ outcome: 'refused' })));
      expect(count('cases')).toBe(0);
    });

    it('refuses before reading the body: an invalid or oversized body without a key is still 401', async () => {
      await expectRefused({}, null, { nonsense: true });
      await expectRefused({}, null, validBody(orgs, { description: 'x'.repeat(70_000) }));
    });

    it('does not accept a signed-in session instead of a key', async () => {
      await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
      const admin = await login(t.app, t.db, 'quantri');
      await expectRefused({ cookie: admin.cookie, 'x-csrf-token': admin.csrf }, null);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first response for the same key and body, creating one case', async () => {
      const first = await post(validBody(orgs), { 'idempotency-key': 'call-2026-03-02-0001' });
      const second = await post(validBody(orgs), { 'idempotency-key': 'call-2026-03-02-0001' });
      expect(first.statusCode).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(second.statusCode).toBe(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body).toBe(first.body);
      expect(count('cases')).toBe(1);
      expect(count('idempotency_keys')).toBe(1);
    });

    it('refuses the same key with a different body (422) and creates nothing more', async () => {
      expect((await post(validBody(orgs), { 'idempotency-key': 'k1' })).statusCode).toBe(201);
      const reused = await post(validBody(orgs, { description: 'Một báo cáo khác.' }), { 'idempotency-key': 'k1' });
      expect(reused.statusCode).toBe(422);
      expectJson(reused);
      expect(reused.json()).toEqual({ error: expect.stringContaining('Idempotency-Key') });
      expect(count('cases')).toBe(1);
    });

    it('creates one case for concurrent duplicates', async () => {
      const responses = await Promise.all(Array.from({ length: 8 }, () => post(validBody(orgs), { 'idempotency-key': 'burst' })));
      expect(new Set(responses.map((response) => `${response.statusCode} ${response.body}`)).size).toBe(1);
      expect(responses.filter((response) => response.headers['idempotent-replayed'] === 'true')).toHaveLength(7);
      expect(count('cases')).toBe(1);
    });

    it('keeps keys apart per API key', async () => {
      const other = createApiKey(t.db, SYSTEM_AUDIT_CONTEXT, { orgId: orgs.socialWorkCentre, name: 'Trung tâm', createdBy: null });
      expect((await post(validBody(orgs), { 'idempotency-key': 'same' })).statusCode).toBe(201);
      expect((await post(validBody(orgs), { 'idempotency-key': 'same' }, other.key)).statusCode).toBe(201);
      expect(count('cases')).toBe(2);
    });

    it('refuses a malformed Idempotency-Key', async () => {
      const response = await post(validBody(orgs), { 'idempotency-key': 'x'.repeat(129) });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ errors: [{ path: 'Idempotency-Key', message: 'must be 1 to 128 printable ASCII characters' }] });
      expect(count('cases')).toBe(0);
    });
  });

  describe('concurrent requests (group commit: one transaction, each intake in its own savepoint)', () => {
    it('creates every case, each with its own reference, its audit entries and an intact audit chain', async () => {
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_unused, n) => post(validBody(orgs, { child: { name: `Trẻ số ${n}` } }), { 'idempotency-key': `call-${n}` })),
      );
      expect(responses.map((response) => response.statusCode)).toEqual(Array.from({ length: 20 }, () => 201));
      const references = responses.map((response) => (response.json() as { reference: string }).reference);
      expect(new Set(references).size).toBe(20);
      expect(count('cases')).toBe(20);
      expect(count('intakes')).toBe(20);
      expect(count('idempotency_keys')).toBe(20);
      expect(audits('case.create')).toHaveLength(20);
      expect(audits('api.intake')).toHaveLength(20);
      expect(verifyAuditChain(t.db)).toMatchObject({ ok: true });
    });

    it('answers only once the intake is committed: another connection already sees the case', async () => {
      const reader = new Database(t.database.file, { readonly: true });
      try {
        const response = await post(validBody(orgs));
        expect(response.statusCode).toBe(201);
        const { reference } = response.json() as { reference: string };
        expect(reader.prepare('SELECT count(*) AS n FROM cases WHERE reference = ?').get(reference)).toEqual({ n: 1 });
      } finally {
        reader.close();
      }
    });

    it('loses none of the others when one intake of the batch fails, and leaves nothing of the failed one', async () => {
      // A database-level failure the input checks cannot foresee, for one intake only.
      t.db.$client.exec(`CREATE TRIGGER fail_one BEFORE INSERT ON intakes WHEN NEW.child_name = 'Lỗi' BEGIN SELECT RAISE(ABORT, 'injected'); END`);
      const names = ['Một', 'Hai', 'Lỗi', 'Bốn', 'Năm'];
      const responses = await Promise.all(names.map((name, n) => post(validBody(orgs, { child: { name } }), { 'idempotency-key': `key-${n}` })));
      expect(responses.map((response) => response.statusCode)).toEqual([201, 201, 500, 201, 201]);
      expectJson(responses[2]!);
      expect(t.db.$client.prepare('SELECT child_name AS name FROM intakes ORDER BY id').pluck().all()).toEqual(['Một', 'Hai', 'Bốn', 'Năm']);
      expect(count('cases')).toBe(4);
      expect(count('idempotency_keys')).toBe(4);
      expect(audits('case.create')).toHaveLength(4);
      expect(verifyAuditChain(t.db)).toMatchObject({ ok: true });
    });

    it('in one batch: duplicates of a key create one case and replay it, a different body under the same key is refused', async () => {
      // Submitted in one tick, so the five share one batch (one transaction) for certain.
      const submit = createIntakeSubmitter(t.db, t.app.config.publicUrl);
      const principal = { id: keyId, orgId: orgs.hotline };
      const audit = { ...SYSTEM_AUDIT_CONTEXT, actorRole: 'api_key', actorOrgId: orgs.hotline };
      const body = validBody(orgs) as unknown as IntakeBody;
      const other = validBody(orgs, { description: 'Một báo cáo khác.' }) as unknown as IntakeBody;
      const replies = await Promise.all([
        ...Array.from({ length: 4 }, () => submit(principal, audit, body, idempotencyFor('burst', body))),
        submit(principal, audit, other, idempotencyFor('burst', other)),
      ]);
      expect(replies.map((reply) => [reply.status, reply.replayed])).toEqual([[201, false], [201, true], [201, true], [201, true], [422, false]]);
      expect(new Set(replies.slice(0, 4).map((reply) => reply.json)).size).toBe(1);
      expect(count('cases')).toBe(1);
      expect(count('idempotency_keys')).toBe(1);
    });
  });

  it('refuses a body over 64 KiB with 413 JSON', async () => {
    const response = await post(validBody(orgs, { description: 'x'.repeat(70_000) }));
    expect(response.statusCode).toBe(413);
    expectJson(response);
    expect(response.json()).toEqual({ error: expect.stringContaining('64 KiB') });
    expect(count('cases')).toBe(0);
  });

  it('refuses a body that is not JSON with 415 JSON', async () => {
    const response = await t.app.inject({ method: 'POST', url: URL_PATH, headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' }, payload: 'hello' });
    expect(response.statusCode).toBe(415);
    expectJson(response);
  });
});

describe('API-key permissions at registration', () => {
  it('refuses a session route holding the API-key permission, and an API-key route holding a session permission', async () => {
    const database = freshDatabase();
    let app: FastifyInstance | null = null;
    try {
      app = await buildApp({ config: testConfig({ dataDir: database.dataDir }), db: database.db });
      const built = app;
      expect(() => built.post('/x', { config: { permission: 'intake.api' } }, async () => 'open')).toThrow(MissingPermissionError);
      expect(() => built.post('/y', { config: { permission: 'case.read', auth: 'api_key' } }, async () => 'open')).toThrow(MissingPermissionError);
    } finally {
      await app?.close();
      removeDatabase(database);
    }
  });
});
