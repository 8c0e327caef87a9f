/**
 * Who was responsible for a case, and when. Every change of cases.assignedUserId (a supervisor's
 * assignment, TAKE, TRANSFER) ends the open row and, when somebody takes over, opens a new one, so
 * the history is never rewritten and survives a transfer to another commune.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { caseAssignments } from '../schema.js';

export function endOpenAssignment(tx: DbOrTx, caseId: number, at: string): void {
  tx.update(caseAssignments)
    .set({ endedAt: at })
    .where(and(eq(caseAssignments.caseId, caseId), isNull(caseAssignments.endedAt)))
    .run();
}

/** Hands the case to `userId` from `at`: whoever held it until now stops holding it at that moment. */
export function openAssignment(tx: DbOrTx, caseId: number, userId: number, assignedBy: number | null, at: string): void {
  endOpenAssignment(tx, caseId, at);
  tx.insert(caseAssignments).values({ caseId, userId, assignedBy, startedAt: at }).run();
}

export interface AssignmentHistoryRow {
  id: number;
  userName: string;
  assignedByName: string | null;
  startedAt: string;
  endedAt: string | null;
}

/** The case's assignments, the current one first. */
export function assignmentHistory(db: DbOrTx, caseId: number): AssignmentHistoryRow[] {
  return db.all<AssignmentHistoryRow>(sql`
    SELECT a.id, u.display_name AS userName, b.display_name AS assignedByName, a.started_at AS startedAt, a.ended_at AS endedAt
    FROM case_assignments a
    JOIN users u ON u.id = a.user_id
    LEFT JOIN users b ON b.id = a.assigned_by
    WHERE a.case_id = ${caseId}
    ORDER BY a.started_at DESC, a.id DESC`);
}

/** Who may be given the case: active users holding an active commune worker role at the case's commune or below. */
export function assignableWorkers(db: DbOrTx, orgId: number): { id: number; name: string }[] {
  return db.all<{ id: number; name: string }>(sql`
    SELECT DISTINCT u.id, u.display_name AS name
    FROM users u JOIN role_assignments ra ON ra.user_id = u.id
    WHERE u.disabled_at IS NULL AND ra.ended_at IS NULL AND ra.role = 'commune_worker'
      AND ra.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${orgId})
    ORDER BY u.display_name, u.id`);
}
