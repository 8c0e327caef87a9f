import { and, count, desc, eq, gte, lt } from 'drizzle-orm';
import { cases } from '../cases/schema.js';
import type { DbOrTx } from '../db/client.js';
import { rowLimit } from '../db/paging.js';
import { hotlineCalls, type CallType } from './schema.js';

/** What the hotline keeps of a call: when, what kind, and the case it opened. Never what was said. */
export interface CallSummary {
  id: number;
  hotlineOrgId: number;
  receivedAt: string;
  callType: CallType;
  reference: string | null;
}

const SUMMARY = {
  id: hotlineCalls.id,
  hotlineOrgId: hotlineCalls.hotlineOrgId,
  receivedAt: hotlineCalls.receivedAt,
  callType: hotlineCalls.callType,
  reference: cases.reference,
};

export function insertCall(tx: DbOrTx, call: typeof hotlineCalls.$inferInsert): number {
  return tx.insert(hotlineCalls).values(call).returning({ id: hotlineCalls.id }).get().id;
}

export function findCall(db: DbOrTx, id: number): CallSummary | null {
  return db.select(SUMMARY).from(hotlineCalls).leftJoin(cases, eq(cases.id, hotlineCalls.caseId)).where(eq(hotlineCalls.id, id)).get() ?? null;
}

/** A hotline's calls received in [from, to), newest first. */
export function listCalls(
  db: DbOrTx,
  hotlineOrgId: number,
  range: { from: string; to: string },
  limit: number,
  offset: number,
): { rows: CallSummary[]; total: number } {
  const where = and(eq(hotlineCalls.hotlineOrgId, hotlineOrgId), gte(hotlineCalls.receivedAt, range.from), lt(hotlineCalls.receivedAt, range.to));
  const rows = db
    .select(SUMMARY)
    .from(hotlineCalls)
    .leftJoin(cases, eq(cases.id, hotlineCalls.caseId))
    .where(where)
    .orderBy(desc(hotlineCalls.receivedAt), desc(hotlineCalls.id))
    .limit(rowLimit(limit))
    .offset(offset)
    .all();
  const total = db.select({ n: count() }).from(hotlineCalls).where(where).get()?.n ?? 0;
  return { rows, total };
}
