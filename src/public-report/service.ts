import { eq } from 'drizzle-orm';
import { appendAudit, type AuditContext } from '../audit/log.js';
import { cases, caseTimeline } from '../cases/schema.js';
import { writeTransaction, type Db, type DbOrTx } from '../db/client.js';
import { intakes } from '../intake/schema.js';

/** All a reporter may learn about their report: never the reference, the child or the casework. */
export type CoarseStatus = 'received' | 'handling' | 'closed';

export function coarseStatus(state: string): CoarseStatus {
  if (state === 'intake') return 'received';
  if (state === 'closed' || state === 'merged') return 'closed';
  return 'handling';
}

/** The case a receipt belongs to, by the receipt's hash. */
export function findReportedCase(db: DbOrTx, receiptHash: string): { caseId: number; status: CoarseStatus } | null {
  const row = db
    .select({ caseId: cases.id, state: cases.state })
    .from(intakes)
    .innerJoin(cases, eq(cases.id, intakes.caseId))
    .where(eq(intakes.receiptHash, receiptHash))
    .get();
  return row ? { caseId: row.caseId, status: coarseStatus(row.state) } : null;
}

/** What the reporter adds later goes on the case's timeline, for the commune worker to read. */
export function addPublicUpdate(db: Db, audit: AuditContext, caseId: number, text: string, now: Date = new Date()): void {
  writeTransaction(db, (tx) => {
    tx.insert(caseTimeline).values({ caseId, at: now.toISOString(), kind: 'public_update', detail: { text } }).run();
    appendAudit(tx, audit, { action: 'case.public_update', entityType: 'case', entityId: caseId });
  });
}
