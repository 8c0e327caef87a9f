import { preparedStatements, sqliteOf, writeTransaction, type Db, type DbOrTx } from '../db/client.js';
import { groupCommitFor } from '../db/group-commit.js';
import { chainHash, GENESIS_HASH, type AuditEntryContent, type AuditOutcome } from './chain.js';

/** Who did it and from where; built from the request, or by the CLI for its own commands. */
export interface AuditContext {
  actorUserId: number | null;
  actorRole: string | null;
  actorOrgId: number | null;
  ip: string | null;
  requestId: string | null;
}

export interface AuditEvent {
  action: string;
  entityType?: string;
  entityId?: string | number;
  outcome?: AuditOutcome;
}

export const SYSTEM_AUDIT_CONTEXT: AuditContext = {
  actorUserId: null,
  actorRole: null,
  actorOrgId: null,
  ip: null,
  requestId: null,
};

/** audit_log's columns in the order auditRow gives their values; bulk writers (the benchmark seed) insert with both too. */
export const AUDIT_COLUMNS = ['id', 'at', 'actor_user_id', 'actor_role', 'actor_org_id', 'action', 'entity_type', 'entity_id', 'outcome', 'ip', 'request_id', 'prev_hash', 'hash'] as const;

export function auditRow(entry: AuditEntryContent, prevHash: string, hash: string): unknown[] {
  return [entry.id, entry.at, entry.actorUserId, entry.actorRole, entry.actorOrgId, entry.action, entry.entityType, entry.entityId, entry.outcome, entry.ip, entry.requestId, prevHash, hash];
}

const auditStatements = preparedStatements((client) => ({
  last: client.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1'),
  insert: client.prepare<unknown[]>(`INSERT INTO audit_log (${AUDIT_COLUMNS.join(', ')}) VALUES (${AUDIT_COLUMNS.map(() => '?').join(', ')})`),
}));

/** The hashed content of entry `id`; bulk writers (the benchmark seed) build their rows with it too. */
export function auditEntryContent(id: number, at: string, context: AuditContext, event: AuditEvent): AuditEntryContent {
  return {
    id,
    at,
    actorUserId: context.actorUserId,
    actorRole: context.actorRole,
    actorOrgId: context.actorOrgId,
    action: event.action,
    entityType: event.entityType ?? null,
    entityId: event.entityId === undefined ? null : String(event.entityId),
    outcome: event.outcome ?? 'allowed',
    ip: context.ip,
    requestId: context.requestId,
  };
}

/**
 * Appends one entry. Call it inside the write transaction of the change it records, so the change
 * and its audit entry commit or roll back together.
 */
export function appendAudit(tx: DbOrTx, context: AuditContext, event: AuditEvent, now: Date = new Date()): void {
  if (!sqliteOf(tx).inTransaction) throw new Error('appendAudit must run inside a write transaction');
  const { last, insert } = auditStatements(tx);
  const previous = last.get();
  const entry = auditEntryContent((previous?.id ?? 0) + 1, now.toISOString(), context, event);
  const prevHash = previous?.hash ?? GENESIS_HASH;
  insert.run(auditRow(entry, prevHash, chainHash(prevHash, entry)));
}

/** For events that change nothing else (reads, refusals, failed logins): the entry is its own transaction. */
export function recordAudit(db: Db, context: AuditContext, event: AuditEvent): void {
  writeTransaction(db, (tx) => appendAudit(tx, context, event));
}

/**
 * For reads: the entry joins the connection's group commit (docs/decisions/0017), so the page views
 * that arrive together share one fsync. Settles after the COMMIT; the caller holds the response until then.
 */
export function recordAuditShared(db: Db, context: AuditContext, event: AuditEvent): Promise<void> {
  return groupCommitFor(db).run((tx) => appendAudit(tx, context, event));
}
