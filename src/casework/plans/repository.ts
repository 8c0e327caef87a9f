import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { preparedQueries, type DbOrTx } from '../../db/client.js';
import { rowLimit } from '../../db/paging.js';
import { ancestorsOf } from '../../orgs/repository.js';
import { byKindThenName } from '../../orgs/order.js';
import type { OrgKind } from '../../orgs/schema.js';
import { planMeasures, plans } from '../schema.js';

export type Plan = typeof plans.$inferSelect;
export type PlanMeasure = typeof planMeasures.$inferSelect;
export interface PlanWithMeasures extends Plan {
  measures: PlanMeasure[];
}

const queries = preparedQueries((db) => ({
  latestVersion: db
    .select()
    .from(plans)
    .where(eq(plans.caseId, sql.placeholder('caseId')))
    .orderBy(desc(plans.version))
    .limit(rowLimit(1))
    .prepare(),
  measures: db
    .select()
    .from(planMeasures)
    .where(eq(planMeasures.planId, sql.placeholder('planId')))
    .orderBy(asc(planMeasures.id))
    .prepare(),
}));

function withMeasures(db: DbOrTx, plan: Plan | undefined): PlanWithMeasures | null {
  if (!plan) return null;
  return { ...plan, measures: queries(db).measures.all({ planId: plan.id }) };
}

/**
 * The case's latest plan version (Mẫu 04), whatever its status: a draft being written, a plan awaiting
 * the chairperson, the approved plan (Mẫu 05 fields decisionNumber, decidedAt), or a rejected one.
 */
export function currentPlan(db: DbOrTx, caseId: number): PlanWithMeasures | null {
  return withMeasures(db, queries(db).latestVersion.get({ caseId }));
}

/** One version of the case's plan, with its measures; null if there is none. */
export function planVersion(db: DbOrTx, caseId: number, version: number): PlanWithMeasures | null {
  return withMeasures(db, db.select().from(plans).where(and(eq(plans.caseId, caseId), eq(plans.version, version))).get());
}

/** Every version of the case's plan, oldest first, without measures. */
export function planVersions(db: DbOrTx, caseId: number): Plan[] {
  return db.select().from(plans).where(eq(plans.caseId, caseId)).orderBy(asc(plans.version)).all();
}

export interface OrgChoice {
  id: number;
  name: string;
  kind: OrgKind;
}

/**
 * The organisations a measure of this case's plan can be given to: the case's commune and what is under
 * it (its schools and childcare groups), the province above it and the province's own bodies (social work
 * centre, police, health facilities), and any organisation an earlier version of the plan already named.
 * Other communes and their schools are left out: a province has hundreds of them, and a measure for one
 * of them is rare enough to go to a named person instead. Grouped by kind in the order of ORG_KINDS.
 */
export function responsibleOrgChoices(db: DbOrTx, plannedCase: { id: number; orgId: number }): OrgChoice[] {
  const chain = ancestorsOf(db, plannedCase.orgId);
  const province = chain.findLastIndex((org) => org.kind === 'province');
  const above = chain.slice(Math.max(province, 0)).map((org) => sql`${org.id}`);
  if (above.length === 0) return [];
  const chainIds = sql.join(above, sql`, `);
  const rows = db.all<OrgChoice>(sql`
    SELECT o.id, o.name, o.kind FROM org_closure c JOIN organisations o ON o.id = c.descendant_id
    WHERE c.ancestor_id = ${plannedCase.orgId} AND o.active = 1
    UNION SELECT id, name, kind FROM organisations WHERE id IN (${chainIds}) AND active = 1
    UNION SELECT id, name, kind FROM organisations WHERE parent_id IN (${chainIds}) AND kind <> 'commune' AND active = 1
    UNION SELECT o.id, o.name, o.kind FROM plans p JOIN plan_measures m ON m.plan_id = p.id JOIN organisations o ON o.id = m.responsible_org_id
    WHERE p.case_id = ${plannedCase.id} AND o.active = 1`);
  return rows.sort(byKindThenName);
}
