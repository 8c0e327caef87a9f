import type { Db } from '../db/client.js';
import { chainHash, GENESIS_HASH, type AuditEntryContent, type AuditOutcome } from './chain.js';

export type ChainVerdict =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenId: number; reason: 'hash_mismatch' | 'broken_link' | 'gap' };

interface AuditRow {
  id: number;
  at: string;
  actor_user_id: number | null;
  actor_role: string | null;
  actor_org_id: number | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  outcome: AuditOutcome;
  ip: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

/** Walks the whole chain in id order and names the first entry that does not follow from the one before. */
export function verifyAuditChain(db: Db): ChainVerdict {
  const rows = db.$client.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as IterableIterator<AuditRow>;
  let expectedPrev = GENESIS_HASH;
  let expectedId = 1;
  let entries = 0;
  for (const row of rows) {
    const entry: AuditEntryContent = {
      id: row.id,
      at: row.at,
      actorUserId: row.actor_user_id,
      actorRole: row.actor_role,
      actorOrgId: row.actor_org_id,
      action: row.action,
      entityType: row.entity_type,
      entityId: row.entity_id,
      outcome: row.outcome,
      ip: row.ip,
      requestId: row.request_id,
    };
    if (row.id !== expectedId) return { ok: false, entries, brokenId: row.id, reason: 'gap' };
    if (row.prev_hash !== expectedPrev) return { ok: false, entries, brokenId: row.id, reason: 'broken_link' };
    if (row.hash !== chainHash(row.prev_hash, entry)) return { ok: false, entries, brokenId: row.id, reason: 'hash_mismatch' };
    expectedPrev = row.hash;
    expectedId += 1;
    entries += 1;
  }
  return { ok: true, entries };
}
