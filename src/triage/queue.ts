import { sql, type SQL } from 'drizzle-orm';
import { CASE_COLUMNS } from '../cases/repository.js';
import type { IntakeChannel } from '../cases/schema.js';
import type { DbOrTx } from '../db/client.js';
import { limitRows } from '../db/paging.js';
import type { Actor } from '../permissions/actor.js';
import { scopeCondition } from '../permissions/check.js';

export interface TriageRow {
  id: number;
  reference: string;
  receivedAt: string;
  channel: IntakeChannel;
  childName: string | null;
  communeName: string;
  /** Immediate danger reported at intake, or an emergency declared on the case. */
  emergency: boolean;
  nextDueAt: string | null;
  rowVersion: number;
}

// The columns stay qualified by the table name ("cases"), because the permission scope refers to them so.
const NEW_INTAKES = sql`cases.state = 'intake'`;

/**
 * New intakes that `scope` (the 'case.triage' rules for the actor) lets through, most urgent first:
 * emergencies, then the nearest 12-hour deadline, then the oldest report.
 */
export function listTriageQueue(db: DbOrTx, scope: SQL, limit: number, offset: number): { rows: TriageRow[]; total: number } {
  const rows = db.all<Omit<TriageRow, 'emergency'> & { emergency: number }>(sql`
    SELECT cases.id, cases.reference, cases.received_at AS receivedAt, cases.channel, intakes.child_name AS childName,
           organisations.name AS communeName, cases.next_due_at AS nextDueAt, cases.row_version AS rowVersion,
           (cases.emergency = 1 OR coalesce(intakes.immediate_danger, 0) = 1) AS emergency
    FROM cases
    JOIN organisations ON organisations.id = cases.org_id
    LEFT JOIN intakes ON intakes.case_id = cases.id
    WHERE ${NEW_INTAKES} AND ${scope}
    ORDER BY emergency DESC, cases.next_due_at IS NULL, cases.next_due_at, cases.received_at, cases.id
    ${limitRows(limit, offset)}`);
  return { rows: rows.map((row) => ({ ...row, emergency: Boolean(row.emergency) })), total: countIn(db, scope) };
}

function countIn(db: DbOrTx, scope: SQL): number {
  return db.get<{ n: number }>(sql`SELECT count(*) AS n FROM cases WHERE ${NEW_INTAKES} AND ${scope}`).n;
}

/** How many new intakes wait for the actor: the number beside "Tiếp nhận mới" in the menu. */
export function countNewIntakes(db: DbOrTx, actor: Actor): number {
  return countIn(db, scopeCondition('case.triage', actor, CASE_COLUMNS));
}
