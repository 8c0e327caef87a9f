import { eq, sql } from 'drizzle-orm';
import { preparedQueries, type DbOrTx } from '../db/client.js';
import type { SubjectColumns, SubjectRecord } from '../permissions/conditions.js';
import { cases } from './schema.js';

export type CaseRow = typeof cases.$inferSelect;

/** How the permission rules see a case, in SQL and on a loaded row. */
export const CASE_COLUMNS: SubjectColumns = {
  id: cases.id,
  orgId: cases.orgId,
  assignedUserId: cases.assignedUserId,
  sensitive: cases.sensitive,
};

/** How the rules see one loaded case; accepted referrals come from their own table. */
export function caseSubject(db: DbOrTx, row: Pick<CaseRow, 'id' | 'orgId' | 'assignedUserId' | 'sensitive'>): SubjectRecord {
  const acceptedReferralOrgIds = db
    .all<{ orgId: number }>(sql`SELECT to_org_id AS orgId FROM referrals WHERE case_id = ${row.id} AND status = 'accepted'`)
    .map((referral) => referral.orgId);
  return { id: row.id, orgId: row.orgId, assignedUserId: row.assignedUserId, sensitive: row.sensitive, acceptedReferralOrgIds };
}

const caseQueries = preparedQueries((db) => ({
  byId: db
    .select()
    .from(cases)
    .where(eq(cases.id, sql.placeholder('id')))
    .prepare(),
}));

export function findCase(db: DbOrTx, id: number): CaseRow | null {
  return caseQueries(db).byId.get({ id }) ?? null;
}

export function findCaseByReference(db: DbOrTx, reference: string): CaseRow | null {
  return db.select().from(cases).where(eq(cases.reference, reference)).get() ?? null;
}

export function caseCategoryCodes(db: DbOrTx, caseId: number): string[] {
  return db.all<{ code: string }>(sql`SELECT code FROM case_categories WHERE case_id = ${caseId} ORDER BY code`).map((row) => row.code);
}
