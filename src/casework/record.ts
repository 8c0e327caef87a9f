import { eq } from 'drizzle-orm';
import { appendAudit, type AuditContext } from '../audit/log.js';
import { cases, caseTimeline } from '../cases/schema.js';
import type { DbOrTx } from '../db/client.js';
import type { Actor } from '../permissions/actor.js';
import { fieldChanges } from './schema.js';

export interface CaseworkWriter {
  actor: Actor;
  audit: AuditContext;
}

export interface CaseworkEntry {
  /** The timeline kind, e.g. 'assessment', 'plan', 'referral', 'note'; it names its caseTimeline.kind_* text. */
  kind: string;
  detail?: Record<string, unknown> | null;
  confidential?: boolean;
  at?: string;
}

/**
 * Every piece of casework lands in the case's chronology and in the audit log, inside the caller's
 * write transaction, so the record, its timeline entry and its audit entry commit together.
 */
export function recordCasework(tx: DbOrTx, writer: CaseworkWriter, caseId: number, entry: CaseworkEntry, auditAction: string): void {
  const at = entry.at ?? new Date().toISOString();
  tx.insert(caseTimeline)
    .values({
      caseId,
      at,
      actorUserId: writer.actor.userId,
      actorRole: writer.actor.role,
      kind: entry.kind,
      detail: entry.detail ?? null,
      confidential: entry.confidential ?? false,
    })
    .run();
  tx.update(cases).set({ updatedAt: at }).where(eq(cases.id, caseId)).run();
  appendAudit(tx, writer.audit, { action: auditAction, entityType: 'case', entityId: caseId });
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The field-level change history supervisors read: one row per field whose value changed. */
export function recordFieldChanges(
  tx: DbOrTx,
  caseId: number,
  userId: number,
  entity: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  at: string = new Date().toISOString(),
): number {
  let changed = 0;
  for (const field of Object.keys(after)) {
    const oldValue = asText(before[field]);
    const newValue = asText(after[field]);
    if (oldValue === newValue) continue;
    tx.insert(fieldChanges).values({ caseId, at, userId, entity, field, oldValue, newValue }).run();
    changed += 1;
  }
  return changed;
}
