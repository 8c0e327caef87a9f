/**
 * A supervisor gives a case to a commune worker. Who is responsible is case data, not workflow state,
 * so this does not go through the statechart; like linking a child (src/triage/child-link.ts) it checks
 * and bumps the row version, so two supervisors cannot hand one case out twice without one noticing.
 */
import { and, eq } from 'drizzle-orm';
import { notifyAssigned } from '../../alerts/notify.js';
import { cases } from '../../cases/schema.js';
import { writeTransaction, type Db } from '../../db/client.js';
import { recordCasework, recordFieldChanges, type CaseworkWriter } from '../record.js';
import { openAssignment } from './history.js';

export type AssignResult = { ok: true } | { ok: false; reason: 'conflict' | 'unchanged' };

export function assignCase(db: Db, writer: CaseworkWriter, caseId: number, userId: number, expectedVersion: number, now = new Date()): AssignResult {
  const at = now.toISOString();
  return writeTransaction(db, (tx) => {
    // Read under the write lock: the "from" of the change history is the assignee this version had.
    const current = tx.select({ rowVersion: cases.rowVersion, assignedUserId: cases.assignedUserId }).from(cases).where(eq(cases.id, caseId)).get();
    if (!current || current.rowVersion !== expectedVersion) return { ok: false, reason: 'conflict' } as const;
    if (current.assignedUserId === userId) return { ok: false, reason: 'unchanged' } as const;
    tx.update(cases)
      .set({ assignedUserId: userId, rowVersion: expectedVersion + 1, updatedAt: at })
      .where(and(eq(cases.id, caseId), eq(cases.rowVersion, expectedVersion)))
      .run();
    openAssignment(tx, caseId, userId, writer.actor.userId, at);
    recordFieldChanges(tx, caseId, writer.actor.userId, 'case', { assignedUserId: current.assignedUserId }, { assignedUserId: userId }, at);
    recordCasework(tx, writer, caseId, { kind: 'assignment', detail: { fromUserId: current.assignedUserId, toUserId: userId }, at }, 'case.assign');
    notifyAssigned(tx, caseId, userId, writer.actor.userId, now);
    return { ok: true } as const;
  });
}
