import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, chainHash } from '../../src/audit/chain.js';
import { appendAudit, recordAudit, SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { verifyAuditChain } from '../../src/audit/verify.js';
import { writeTransaction } from '../../src/db/client.js';
import { createOrganisation, insertOrganisation } from '../../src/orgs/repository.js';
import { createTestApp, login, seedOrgs, seedUser, send, type TestApp } from '../helpers/app.js';

interface AuditRow {
  id: number;
  at: string;
  actor_user_id: number | null;
  actor_role: string | null;
  actor_org_id: number | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  outcome: 'allowed' | 'refused';
  ip: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

describe('the audit log', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
    seedOrgs(t.db);
  });
  afterEach(async () => t.close());

  const rows = (): AuditRow[] => t.db.$client.prepare('SELECT * FROM audit_log ORDER BY id').all() as AuditRow[];

  it('chains every entry to the one before, starting from 64 zeros', () => {
    recordAudit(t.db, SYSTEM_AUDIT_CONTEXT, { action: 'test.read', entityType: 'organisation', entityId: 1, outcome: 'refused' });
    const entries = rows();
    expect(entries.length).toBeGreaterThanOrEqual(8);
    expect(entries.map((entry) => entry.id)).toEqual(entries.map((_, index) => index + 1));
    expect(entries[0]?.prev_hash).toBe('0'.repeat(64));
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    entries.forEach((entry, index) => {
      if (index > 0) expect(entry.prev_hash).toBe(entries[index - 1]?.hash);
      expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
      const content = {
        id: entry.id,
        at: entry.at,
        actorUserId: entry.actor_user_id,
        actorRole: entry.actor_role,
        actorOrgId: entry.actor_org_id,
        action: entry.action,
        entityType: entry.entity_type,
        entityId: entry.entity_id,
        outcome: entry.outcome,
        ip: entry.ip,
        requestId: entry.request_id,
      };
      expect(entry.hash).toBe(chainHash(entry.prev_hash, content));
    });
    expect(new Set(entries.map((entry) => entry.hash)).size).toBe(entries.length);
  });

  it('passes verification when untouched', () => {
    expect(verifyAuditChain(t.db)).toEqual({ ok: true, entries: rows().length });
  });

  it('refuses UPDATE and DELETE on entries (database triggers)', () => {
    expect(() => t.db.$client.prepare("UPDATE audit_log SET action = 'org.harmless' WHERE id = 2").run()).toThrow(/append-only/);
    expect(() => t.db.$client.prepare('DELETE FROM audit_log WHERE id = 2').run()).toThrow(/append-only/);
    expect(() => t.db.$client.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(rows()[1]?.action).toBe('org.create');
    expect(verifyAuditChain(t.db).ok).toBe(true);
  });

  it('names the exact entry whose content was changed behind the triggers’ back', () => {
    t.db.$client.exec('DROP TRIGGER audit_log_no_update');
    t.db.$client.prepare("UPDATE audit_log SET action = 'org.harmless' WHERE id = 4").run();
    expect(verifyAuditChain(t.db)).toEqual({ ok: false, entries: 3, brokenId: 4, reason: 'hash_mismatch' });
  });

  it('catches an entry rewritten with a recomputed hash, at the link to the next entry', () => {
    t.db.$client.exec('DROP TRIGGER audit_log_no_update');
    const entry = rows()[3] as AuditRow;
    const forged = chainHash(entry.prev_hash, {
      id: entry.id, at: entry.at, actorUserId: entry.actor_user_id, actorRole: entry.actor_role, actorOrgId: entry.actor_org_id,
      action: 'org.harmless', entityType: entry.entity_type, entityId: entry.entity_id, outcome: entry.outcome, ip: entry.ip, requestId: entry.request_id,
    });
    t.db.$client.prepare("UPDATE audit_log SET action = 'org.harmless', hash = ? WHERE id = 4").run(forged);
    expect(verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenId: 5, reason: 'broken_link' });
  });

  it('reports a deleted entry in the middle of the chain', () => {
    t.db.$client.exec('DROP TRIGGER audit_log_no_delete');
    t.db.$client.prepare('DELETE FROM audit_log WHERE id = 3').run();
    expect(verifyAuditChain(t.db)).toMatchObject({ ok: false, entries: 2, brokenId: 4 });
  });

  it('reports a deleted entry even when the later ids are renumbered to hide the gap', () => {
    t.db.$client.exec('DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_no_update');
    t.db.$client.prepare('DELETE FROM audit_log WHERE id = 3').run();
    t.db.$client.prepare('UPDATE audit_log SET id = id - 1 WHERE id > 3').run();
    expect(verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenId: 3 });
  });
});

describe('an audit entry commits or rolls back with its change', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
    seedOrgs(t.db);
  });
  afterEach(async () => t.close());

  const count = (table: string): number => (t.db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

  it('leaves neither the organisation nor its entry when the transaction fails after both were written', () => {
    const [orgsBefore, entriesBefore] = [count('organisations'), count('audit_log')];
    expect(() =>
      writeTransaction(t.db, (tx) => {
        const id = insertOrganisation(tx, { name: 'Xã Bỏ Dở', kind: 'commune', parentId: 1 });
        appendAudit(tx, SYSTEM_AUDIT_CONTEXT, { action: 'org.create', entityType: 'organisation', entityId: id });
        throw new Error('power cut');
      }),
    ).toThrow('power cut');
    expect([count('organisations'), count('audit_log')]).toEqual([orgsBefore, entriesBefore]);
    expect(verifyAuditChain(t.db).ok).toBe(true);
  });

  it('does not create the organisation when its audit entry cannot be written', () => {
    const orgsBefore = count('organisations');
    t.db.$client.exec("CREATE TEMP TRIGGER audit_fails BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END");
    expect(() => createOrganisation(t.db, SYSTEM_AUDIT_CONTEXT, { name: 'Xã Không Ghi Vết', kind: 'commune', parentId: 1 })).toThrow(
      /audit unavailable/,
    );
    expect(count('organisations')).toBe(orgsBefore);
    expect(t.db.$client.prepare("SELECT 1 FROM organisations WHERE name = 'Xã Không Ghi Vết'").get()).toBeUndefined();
  });

  it('refuses to append outside a write transaction', () => {
    expect(() => appendAudit(t.db, SYSTEM_AUDIT_CONTEXT, { action: 'test.loose' })).toThrow(/inside a write transaction/);
  });
});

describe('audit entries hold no narratives or personal data', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  it('after an administrator creates a user, no column of any entry holds the name, username, email or password', async () => {
    const orgs = seedOrgs(t.db);
    await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    const admin = await login(t.app, t.db, 'quantri');
    const person = { display_name: 'Nguyễn Thị Bí Mật', username: 'bimat.nguyen', email: 'bimat@example.vn', password: 'mây-trắng-bay-về-núi-42' };
    const created = await send(t.app, admin, {
      method: 'POST',
      url: '/admin/users',
      payload: { ...person, password_confirm: person.password, home_org_id: String(orgs.communeA), role: 'teacher', org_id: String(orgs.schoolA) },
    });
    expect(created.statusCode).toBe(303);
    const entries = t.db.$client.prepare('SELECT * FROM audit_log').all() as Record<string, unknown>[];
    expect(entries.some((entry) => entry.action === 'user.create')).toBe(true);
    const everything = entries.flatMap((entry) => Object.values(entry).map((value) => String(value).toLowerCase()));
    for (const secret of Object.values(person)) {
      expect(everything.filter((value) => value.includes(secret.toLowerCase())), secret).toEqual([]);
    }
  });
});
