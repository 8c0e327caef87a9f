/**
 * Reads the monthly counts of one organisation's subtree for one category-group filter: from the
 * pre-aggregated counters for provinces and above, by adding up the facts for anything smaller
 * (a commune and its schools hold a few thousand facts at most). Either way the result is the same:
 * per metric, (level, month, key, n) entries (docs/decisions/0011).
 */
import type Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { OrgKind } from '../orgs/schema.js';
import { contributionsOf, groupsOf, tallyKey, unitContribution, type Contribution } from './contributions.js';
import type { GroupFilter, Metric } from './dimensions.js';
import type { Fact } from './facts.js';
import type { MonthKey } from './periods.js';
import { dataVersion, PRE_AGGREGATED_KINDS } from './refresh.js';

/** level, month, key, count */
export type CountEntry = readonly [string, MonthKey, string, number];

export interface Counts {
  entries(metric: Metric): readonly CountEntry[];
  /** The earliest month anything was counted in, or null for an empty subtree. */
  firstMonth: MonthKey | null;
}

export interface CountsQuery {
  orgId: number;
  orgKind: OrgKind;
  group: GroupFilter;
  metrics: readonly Metric[];
  /** Only these months (indicators read one period); every month when absent (tables read the whole timeline). */
  months?: readonly MonthKey[];
}

function countsOf(byMetric: Map<string, CountEntry[]>): Counts {
  let firstMonth: MonthKey | null = null;
  for (const entries of byMetric.values()) for (const [, month] of entries) if (firstMonth === null || month < firstMonth) firstMonth = month;
  return { entries: (metric) => byMetric.get(metric) ?? [], firstMonth };
}

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** Raw rows through better-sqlite3: tens of thousands of small rows, where mapping each to an object would cost more than the query. */
function fromCounters(db: Db, query: CountsQuery): Counts {
  const byMetric = new Map<string, CountEntry[]>();
  const statement = db.$client
    .prepare(
      `SELECT level, month, key, n FROM stats_counts
       WHERE org_id = ? AND grp = ? AND metric = ?${query.months ? ` AND month IN (${placeholders(query.months)})` : ''}`,
    )
    .raw();
  for (const metric of query.metrics) byMetric.set(metric, statement.all(query.orgId, query.group, metric, ...(query.months ?? [])) as CountEntry[]);
  return countsOf(byMetric);
}

function fromFacts(db: Db, query: CountsQuery): Counts {
  // Each unit in the subtree and the child of the organisation it falls under ('direct' for the organisation itself).
  const childOf = new Map<number, string>(
    db
      .all<{ unit: number; child: number }>(sql`
        SELECT c.descendant_id AS unit, o.id AS child FROM organisations o JOIN org_closure c ON c.ancestor_id = o.id
        WHERE o.parent_id = ${query.orgId}`)
      .map((row) => [row.unit, String(row.child)]),
  );
  childOf.set(query.orgId, 'direct');
  const metrics = new Set<string>(query.metrics);
  const months = query.months ? new Set(query.months) : null;
  const totals = new Map<string, { contribution: Contribution; n: number }>();
  const rows = db.all<{ unit: number; payload: string }>(sql`
    SELECT unit_org_id AS unit, payload FROM stats_facts
    WHERE unit_org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${query.orgId})`);
  for (const row of rows) {
    const fact = JSON.parse(row.payload) as Fact;
    if (!groupsOf(fact).includes(query.group)) continue;
    const unit = unitContribution(fact, childOf.get(row.unit) ?? 'direct');
    for (const contribution of unit ? [...contributionsOf(fact), unit] : contributionsOf(fact)) {
      if (!metrics.has(contribution.metric) || (months && !months.has(contribution.month))) continue;
      const key = tallyKey(contribution);
      const entry = totals.get(key);
      if (entry) entry.n += 1;
      else totals.set(key, { contribution, n: 1 });
    }
  }
  const byMetric = new Map<string, CountEntry[]>();
  for (const { contribution: c, n } of totals.values()) {
    let list = byMetric.get(c.metric);
    if (!list) byMetric.set(c.metric, (list = []));
    list.push([c.level, c.month, c.key, n]);
  }
  return countsOf(byMetric);
}

/**
 * Counts as last read, per connection and query, with the statistics data version they were read at.
 * Every view of a page reads the same indicators again (a national view: tens of thousands of
 * counters, a third of its time); the refresher bumps the version whenever a count changes.
 */
const keptCounts = new WeakMap<Database.Database, Map<string, { version: number; counts: Counts }>>();
/** A few organisations × filters × periods in use at once; each national entry holds tens of thousands of counts. */
const KEPT_QUERIES = 64;

export function loadCounts(db: Db, query: CountsQuery): Counts {
  const version = dataVersion(db);
  const key = JSON.stringify([query.orgId, query.orgKind, query.group, query.metrics, query.months ?? null]);
  let kept = keptCounts.get(db.$client);
  if (!kept) keptCounts.set(db.$client, (kept = new Map()));
  const found = kept.get(key);
  if (found && found.version === version) return found.counts;
  const counts = PRE_AGGREGATED_KINDS.has(query.orgKind) ? fromCounters(db, query) : fromFacts(db, query);
  kept.delete(key);
  if (kept.size >= KEPT_QUERIES) kept.delete(kept.keys().next().value as string);
  kept.set(key, { version, counts });
  return counts;
}
