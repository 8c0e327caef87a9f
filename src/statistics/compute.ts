/**
 * The suppressed tables of one organisation's subtree for one category-group filter: every period
 * and level at once (src/statistics/tables.ts). Tens to hundreds of milliseconds for a province or
 * the whole country, so it runs in the statistics worker (src/statistics/worker.ts); what it sends
 * back is plain data that `restoreStatistics` turns into the same tables.
 */
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { findOrganisation } from '../orgs/repository.js';
import type { OrgKind } from '../orgs/schema.js';
import type { TaxonomyGroupKind } from '../taxonomy/seed-data.js';
import { TABLE_METRICS, type GroupFilter } from './dimensions.js';
import { monthKeyOf, timeline, type MonthKey } from './periods.js';
import { loadCounts, type Counts } from './store.js';
import { cubeOf } from './suppression.js';
import { protectStatistics, tableDimensions, tableSpecs, type ProtectedStatistics, type TableSpec } from './tables.js';

/** Kinds of organisation a "by organisation" table lists: those cases can be counted under. */
const UNIT_KINDS: ReadonlySet<OrgKind> = new Set(['province', 'district', 'commune', 'school', 'childcare_group']);

export interface StatisticsScope {
  orgId: number;
  orgName: string;
  orgKind: OrgKind;
  children: { id: number; name: string }[];
}

export function statisticsScope(db: DbOrTx, orgId: number): StatisticsScope | null {
  const org = findOrganisation(db, orgId);
  if (!org) return null;
  const children = db
    .all<{ id: number; name: string; kind: OrgKind }>(sql`SELECT id, name, kind FROM organisations WHERE parent_id = ${orgId} ORDER BY name, id`)
    .filter((child) => UNIT_KINDS.has(child.kind))
    .map(({ id, name }) => ({ id, name }));
  return { orgId: org.id, orgName: org.name, orgKind: org.kind, children };
}

function topCategories(db: DbOrTx): Record<TaxonomyGroupKind, { code: string; nameVi: string; nameEn: string }[]> {
  const rows = db.all<{ code: string; nameVi: string; nameEn: string; grp: TaxonomyGroupKind }>(sql`
    SELECT code, name_vi AS nameVi, name_en AS nameEn, group_kind AS grp FROM taxonomy_codes WHERE parent_code IS NULL ORDER BY sort_order, code`);
  const result: Record<TaxonomyGroupKind, { code: string; nameVi: string; nameEn: string }[]> = { abuse: [], child_labour: [], special_circumstances: [] };
  for (const row of rows) result[row.grp].push({ code: row.code, nameVi: row.nameVi, nameEn: row.nameEn });
  return result;
}

/**
 * The child units of the "by organisation" table: those of a kind cases count under, and any other
 * child that has counts (its row must be there, or the table's total would differ from the others').
 */
function unitsWithCounts(db: DbOrTx, scope: StatisticsScope, counts: Counts): { id: number; name: string }[] {
  const listed = new Set(scope.children.map((child) => String(child.id)));
  const missing = [...new Set(counts.entries('unit').map(([, , key]) => key))].filter((key) => key !== 'direct' && !listed.has(key));
  if (missing.length === 0) return scope.children;
  const extra = db.all<{ id: number; name: string }>(sql`SELECT id, name FROM organisations WHERE id IN (${sql.join(missing.map((id) => sql`${Number(id)}`), sql`, `)})`);
  return [...scope.children, ...extra];
}

export interface ComputeRequest {
  orgId: number;
  group: GroupFilter;
  threshold: number;
  now: Date;
}

export function computeStatistics(db: Db, request: ComputeRequest): ProtectedStatistics {
  const scope = statisticsScope(db, request.orgId);
  if (!scope) throw new Error(`no organisation ${request.orgId}`);
  const counts = loadCounts(db, { orgId: scope.orgId, orgKind: scope.orgKind, group: request.group, metrics: TABLE_METRICS });
  const specs = tableSpecs({ categories: topCategories(db), children: unitsWithCounts(db, scope, counts), orgName: scope.orgName, group: request.group });
  const firstMonth = counts.firstMonth ?? monthKeyOf(request.now);
  return protectStatistics(counts, specs, timeline(firstMonth, request.now), request.threshold, firstMonth);
}

/** What the worker sends back: the specs and, per table, its cells' counts and states. */
export interface ComputedStatistics {
  threshold: number;
  firstMonth: MonthKey;
  now: string;
  tables: { spec: TableSpec; values: Float64Array; states: Uint8Array; unprotected: number[]; withheld: boolean }[];
}

export function serialiseStatistics(statistics: ProtectedStatistics, now: Date): ComputedStatistics {
  return {
    threshold: statistics.threshold,
    firstMonth: statistics.firstMonth,
    now: now.toISOString(),
    tables: statistics.tables.map((table) => ({
      spec: table.spec,
      values: table.cube.values,
      states: table.protection.states,
      unprotected: [...table.protection.unprotected],
      withheld: table.withheld,
    })),
  };
}

export function restoreStatistics(computed: ComputedStatistics): ProtectedStatistics {
  const line = timeline(computed.firstMonth, new Date(computed.now));
  return {
    threshold: computed.threshold,
    firstMonth: computed.firstMonth,
    timeline: line,
    tables: computed.tables.map((table) => ({
      spec: table.spec,
      timeline: line,
      cube: cubeOf(tableDimensions(table.spec, line), table.values),
      protection: { threshold: computed.threshold, states: table.states, unprotected: table.unprotected },
      withheld: table.withheld,
    })),
  };
}
