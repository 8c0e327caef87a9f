import type Database from 'better-sqlite3';
import { asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { appendAudit, SYSTEM_AUDIT_CONTEXT, type AuditContext } from '../audit/log.js';
import { generateSessionToken, sessionIdFromToken } from '../auth/session.js';
import { writeTransaction, type Db } from '../db/client.js';
import { organisations } from '../orgs/schema.js';
import { apiKeys } from './schema.js';
import type { ApiKeyPrincipal } from './types.js';

/** Marks a string as a BVTE key, so a leaked one is recognisable (e.g. by secret scanners). */
const KEY_MARKER = 'bvte_';
/** The marker plus 6 of the 32 random characters: enough to tell keys apart, far too little to guess the rest. */
const SHOWN_PREFIX_LENGTH = KEY_MARKER.length + 6;
/** Writing last-used on every call would add a write to every intake; once a minute is enough to see a key is alive. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * The fixed key of demo databases, so the README can print it. Only createDemoApiKey stores it, and
 * only the demo seeding calls that; it has the length and shape of a real key.
 */
export const DEMO_API_KEY = 'bvte_demo_tongdaibaovetreemdemoapikey';

export interface ApiKeyListRow {
  id: number;
  name: string;
  orgId: number;
  orgName: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export type ApiKey = typeof apiKeys.$inferSelect;

/** 160 random bits (the session token generator), base32 lowercase, after the marker. */
export function generateApiKey(): string {
  return KEY_MARKER + generateSessionToken();
}

/** Only this digest is stored: a leaked database does not leak usable keys. */
export function apiKeyHash(key: string): string {
  return sessionIdFromToken(key);
}

/** A cheap shape check, so garbage is refused without touching the database. */
export function looksLikeApiKey(value: string): boolean {
  return /^bvte_[a-z0-9_]{32,64}$/.test(value);
}

function insertApiKey(db: Db, context: AuditContext, key: string, input: { orgId: number; name: string; createdBy: number | null }): number {
  return writeTransaction(db, (tx) => {
    const { id } = tx
      .insert(apiKeys)
      .values({ orgId: input.orgId, name: input.name, prefix: key.slice(0, SHOWN_PREFIX_LENGTH), keyHash: apiKeyHash(key), createdBy: input.createdBy })
      .returning({ id: apiKeys.id })
      .get();
    appendAudit(tx, context, { action: 'apikey.create', entityType: 'api_key', entityId: id });
    return id;
  });
}

/** Creates a key for the organisation. The caller shows `key` once; it cannot be recovered afterwards. */
export function createApiKey(
  db: Db,
  context: AuditContext,
  input: { orgId: number; name: string; createdBy: number | null },
): { id: number; key: string } {
  const key = generateApiKey();
  return { id: insertApiKey(db, context, key, input), key };
}

/** Stores DEMO_API_KEY for the organisation unless it is already there, and returns it. Demo databases only. */
export function createDemoApiKey(db: Db, orgId: number): string {
  const existing = db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.keyHash, apiKeyHash(DEMO_API_KEY))).get();
  if (!existing) insertApiKey(db, SYSTEM_AUDIT_CONTEXT, DEMO_API_KEY, { orgId, name: 'Demo telephony system', createdBy: null });
  return DEMO_API_KEY;
}

export function findApiKey(db: Db, id: number): ApiKey | null {
  return db.select().from(apiKeys).where(eq(apiKeys.id, id)).get() ?? null;
}

/** Revokes at once: the next request with the key is refused. False when it was already revoked. */
export function revokeApiKey(db: Db, context: AuditContext, id: number, now: Date = new Date()): boolean {
  return writeTransaction(db, (tx) => {
    const { changes } = tx
      .update(apiKeys)
      .set({ revokedAt: now.toISOString() })
      .where(sql`${apiKeys.id} = ${id} AND ${apiKeys.revokedAt} IS NULL`)
      .run();
    if (changes > 0) appendAudit(tx, context, { action: 'apikey.revoke', entityType: 'api_key', entityId: id });
    return changes > 0;
  });
}

/** Live keys first, newest first; `filter` restricts (e.g. to an administrator's subtree). */
export function listApiKeys(db: Db, filter?: SQL): ApiKeyListRow[] {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      orgId: apiKeys.orgId,
      orgName: organisations.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .innerJoin(organisations, eq(organisations.id, apiKeys.orgId))
    .where(filter)
    .orderBy(sql`${apiKeys.revokedAt} IS NOT NULL`, desc(apiKeys.createdAt), asc(apiKeys.id))
    .all();
}

/**
 * The per-request key check, on prepared statements: one SHA-256 and one indexed lookup; null for a
 * malformed, unknown or revoked key. Last-used is written at most once a minute per key, judged by the
 * stored time, so it stays right across processes.
 */
export function createApiKeyResolver(client: Database.Database): (token: string, now?: number) => ApiKeyPrincipal | null {
  const find: Database.Statement<[string], { id: number; orgId: number; lastUsedAt: string | null }> = client.prepare(
    'SELECT id, org_id AS orgId, last_used_at AS lastUsedAt FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL',
  );
  const touch: Database.Statement<[string, number]> = client.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
  return (token, now = Date.now()) => {
    if (!looksLikeApiKey(token)) return null;
    const row = find.get(apiKeyHash(token));
    if (!row) return null;
    if (row.lastUsedAt === null || now - Date.parse(row.lastUsedAt) >= TOUCH_INTERVAL_MS) touch.run(new Date(now).toISOString(), row.id);
    return { id: row.id, orgId: row.orgId };
  };
}
