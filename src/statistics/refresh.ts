/**
 * Keeps stats_facts and stats_counts in step with the source tables. Triggers queue every changed
 * case, flag and call in stats_dirty within the writing transaction; this refresher recomputes
 * each queued row's fact and, when it changed, takes the old fact's contributions away from the
 * monthly counters of the organisations above it and adds the new ones, a batch at a time, each
 * in the group commit (docs/decisions/0013). It runs every few seconds (src/statistics/plugin.ts),
 * so a new case counts within a minute.
 */
import type Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { loadNonWorkingDays } from '../calendar/repository.js';
import { OPEN_STATES } from '../cases/workflow/machine.js';
import { sqliteOf, writeTransaction, type Db, type DbOrTx } from '../db/client.js';
import { groupCommitFor } from '../db/group-commit.js';
import { limitRows } from '../db/paging.js';
import { RowBatch } from '../db/row-batch.js';
import type { OrgKind } from '../orgs/schema.js';
import { periodicJob, type PeriodicJob } from '../runtime/periodic-job.js';
import { contributionsOf, groupsOf, Tallies, unitContribution, type Counters, type Tally } from './contributions.js';
import { deriveCaseFact, loadCallFact, loadCaseRecord, loadFactContext, loadFlagFact, type Fact, type FactContext } from './facts.js';

/** Organisations whose counters are kept ahead of time: above these, subtrees are too large to add up per view. */
export const PRE_AGGREGATED_KINDS: ReadonlySet<OrgKind> = new Set(['national', 'province', 'district']);

/** Small enough that a batch holds the write lock and the web thread for a few milliseconds. */
const BATCH_SIZE = 8;

type Source = 'case' | 'flag' | 'call';

export interface RefreshResult {
  processed: number;
  changed: number;
}

function metaValue(db: DbOrTx, key: string): string | null {
  return db.get<{ value: string } | undefined>(sql`SELECT value FROM stats_meta WHERE key = ${key}`)?.value ?? null;
}

function setMeta(tx: DbOrTx, key: string, value: string): void {
  tx.run(sql`INSERT INTO stats_meta (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
}

/** Bumped whenever the counts change; views cache their suppressed tables per version. */
export function dataVersion(db: DbOrTx): number {
  return Number(metaValue(db, 'version') ?? 0);
}

function computeFact(tx: DbOrTx, source: Source, id: number, context: FactContext): Fact | null {
  if (source === 'flag') return loadFlagFact(tx, id, context);
  if (source === 'call') return loadCallFact(tx, id, context);
  const record = loadCaseRecord(tx, id);
  return record ? deriveCaseFact(record, context) : null;
}

/** The pre-aggregated organisations above a unit, each with the child it reaches the unit through. */
export function ancestorsOf(tx: DbOrTx): (unitOrgId: number) => { orgId: number; childKey: string }[] {
  const cache = new Map<number, { orgId: number; childKey: string }[]>();
  return (unit) => {
    const cached = cache.get(unit);
    if (cached) return cached;
    const chain = tx.all<{ orgId: number; depth: number; kind: OrgKind }>(sql`
      SELECT c.ancestor_id AS orgId, c.depth, o.kind FROM org_closure c JOIN organisations o ON o.id = c.ancestor_id
      WHERE c.descendant_id = ${unit} ORDER BY c.depth`);
    const byDepth = new Map(chain.map((row) => [row.depth, row.orgId]));
    const found = chain
      .filter((row) => PRE_AGGREGATED_KINDS.has(row.kind))
      .map((row) => ({ orgId: row.orgId, childKey: row.depth === 0 ? 'direct' : String(byDepth.get(row.depth - 1)) }));
    cache.set(unit, found);
    return found;
  };
}

/** Adds (sign 1) or removes (sign −1) a fact's contributions to the counters of the organisations above it. */
export function tallyFact<K>(counters: Counters<K>, ancestors: ReturnType<typeof ancestorsOf>, fact: Fact, sign: number): void {
  // Each contribution is counted for every group and every organisation above: its key is made once.
  const keys = contributionsOf(fact).map((contribution) => counters.keyOf(contribution));
  const groups = groupsOf(fact);
  for (const { orgId, childKey } of ancestors(fact.unitOrgId)) {
    const unit = unitContribution(fact, childKey);
    const all = unit ? [...keys, counters.keyOf(unit)] : keys;
    for (const group of groups) counters.add(orgId, group, all, sign);
  }
}

/** The counters' changes, written on the connection of the caller's transaction, many to a statement. */
export function writeTallies(client: Database.Database, tallies: ReadonlyMap<number, Tally>): void {
  const upserts = new RowBatch(client, 'stats_counts', ['org_id', 'grp', 'level', 'month', 'metric', 'key', 'n'], 'ON CONFLICT (org_id, grp, metric, level, month, key) DO UPDATE SET n = n + excluded.n');
  const lowered: unknown[][] = [];
  for (const [orgId, tally] of tallies) {
    for (const [group, counts] of tally.counts) {
      for (const { contribution: c, n } of counts.values()) {
        if (n === 0) continue;
        upserts.add(orgId, group, c.level, c.month, c.metric, c.key, n);
        if (n < 0) lowered.push([orgId, group, c.level, c.month, c.metric, c.key]);
      }
    }
  }
  upserts.flush();
  if (lowered.length === 0) return;
  // A counter that drops to zero is removed, by its key: scanning for zeros would read every counter.
  const removeZero = client.prepare(
    'DELETE FROM stats_counts WHERE org_id = ? AND grp = ? AND level = ? AND month = ? AND metric = ? AND key = ? AND n = 0',
  );
  for (const key of lowered) removeZero.run(key);
}

/** Recomputes the facts of the queued rows in `items` and applies their changes to the counters, in the caller's transaction. */
function processBatch(tx: DbOrTx, items: { source: Source; sourceId: number }[], context: FactContext): number {
  const ancestors = ancestorsOf(tx);
  const tallies = new Tallies();
  let changed = 0;
  for (const { source, sourceId } of items) {
    const fact = computeFact(tx, source, sourceId, context);
    const stored = tx.get<{ payload: string } | undefined>(sql`SELECT payload FROM stats_facts WHERE source = ${source} AND source_id = ${sourceId}`);
    const payload = fact ? JSON.stringify(fact) : null;
    tx.run(sql`DELETE FROM stats_dirty WHERE source = ${source} AND source_id = ${sourceId}`);
    if ((stored?.payload ?? null) === payload) continue;
    changed += 1;
    const previous = stored ? (JSON.parse(stored.payload) as Fact) : null;
    if (previous) tallyFact(tallies, ancestors, previous, -1);
    if (fact) tallyFact(tallies, ancestors, fact, 1);
    if (fact && payload) {
      tx.run(sql`
        INSERT INTO stats_facts (source, source_id, unit_org_id, payload) VALUES (${source}, ${sourceId}, ${fact.unitOrgId}, ${payload})
        ON CONFLICT (source, source_id) DO UPDATE SET unit_org_id = excluded.unit_org_id, payload = excluded.payload`);
    } else tx.run(sql`DELETE FROM stats_facts WHERE source = ${source} AND source_id = ${sourceId}`);
    // A call about a case counts where the case counts.
    if (source === 'case' && previous?.unitOrgId !== fact?.unitOrgId) {
      tx.run(sql`INSERT OR IGNORE INTO stats_dirty (source, source_id) SELECT 'call', id FROM hotline_calls WHERE case_id = ${sourceId}`);
    }
  }
  writeTallies(sqliteOf(tx), tallies.byOrg);
  if (changed > 0) setMeta(tx, 'version', String(dataVersion(tx) + 1));
  return changed;
}

/**
 * Deadlines change facts without any write: an emergency whose 12 hours ran out unrecorded is late
 * from that moment. Cases whose earliest deadline passed since the last run are queued again.
 */
function queuePassedDeadlines(db: Db, now: Date): void {
  writeTransaction(db, (tx) => {
    const since = metaValue(tx, 'deadlines_checked_at') ?? '';
    const until = now.toISOString();
    tx.run(sql`
      INSERT OR IGNORE INTO stats_dirty (source, source_id)
      SELECT 'case', id FROM cases
      WHERE state IN (${sql.join(OPEN_STATES.map((state) => sql`${state}`), sql`, `)}) AND next_due_at > ${since} AND next_due_at <= ${until}`);
    setMeta(tx, 'deadlines_checked_at', until);
  });
}

/** Everything counted afresh: after the organisation tree, the taxonomy's groups or the calendar changed. */
function queueRebuild(db: Db): void {
  writeTransaction(db, (tx) => {
    tx.run(sql`DELETE FROM stats_counts`);
    tx.run(sql`DELETE FROM stats_facts`);
    tx.run(sql`DELETE FROM stats_dirty`);
    tx.run(sql`
      INSERT INTO stats_dirty (source, source_id)
      SELECT 'case', id FROM cases UNION ALL SELECT 'flag', id FROM flags UNION ALL SELECT 'call', id FROM hotline_calls`);
    setMeta(tx, 'version', String(dataVersion(tx) + 1));
  });
}

/** Before a refresh: a queued rebuild is carried out, and cases whose deadlines passed are queued. */
function prepare(db: Db, now: Date): FactContext {
  if (db.get(sql`SELECT 1 AS x FROM stats_dirty WHERE source = 'rebuild'`)) queueRebuild(db);
  queuePassedDeadlines(db, now);
  return loadFactContext(db, loadNonWorkingDays(db), now);
}

function nextBatch(db: DbOrTx): { source: Source; sourceId: number }[] {
  return db.all<{ source: Source; sourceId: number }>(sql`
    SELECT source, source_id AS sourceId FROM stats_dirty WHERE source <> 'rebuild' ORDER BY source, source_id ${limitRows(BATCH_SIZE)}`);
}

/** Processes the whole queue at once (the demo seed, tests, the benchmark); the app's refresher works in steps. */
export function refreshStatistics(db: Db, options: { now?: Date } = {}): RefreshResult {
  const context = prepare(db, options.now ?? new Date());
  const result: RefreshResult = { processed: 0, changed: 0 };
  for (let items = nextBatch(db); items.length > 0; items = nextBatch(db)) {
    result.changed += writeTransaction(db, (tx) => processBatch(tx, items, context));
    result.processed += items.length;
  }
  return result;
}

export function createStatisticsRefresher(options: {
  db: Db;
  log: FastifyBaseLogger;
  intervalMs: number;
  /** Runs after a refresh that changed counts (the service recomputes the tables viewed recently). */
  afterChange?: () => Promise<void>;
}): PeriodicJob<RefreshResult> {
  const { db, log, intervalMs, afterChange } = options;
  const groupCommit = groupCommitFor(db);
  return periodicJob({
    // One small batch at a time, in the group commit: a batch holds the web thread for a few
    // milliseconds, requests are answered in between, so a backlog (after a rebuild) never stalls the
    // pages, and a batch shares the fsync of the writes that arrive with it rather than paying its own.
    async run(stopping) {
      const context = prepare(db, new Date());
      const result: RefreshResult = { processed: 0, changed: 0 };
      while (!stopping()) {
        const step = await groupCommit.run((tx) => {
          const items = nextBatch(tx);
          return { processed: items.length, changed: items.length > 0 ? processBatch(tx, items, context) : 0 };
        });
        if (step.processed === 0) break;
        result.processed += step.processed;
        result.changed += step.changed;
      }
      if (result.changed > 0) await afterChange?.();
      return result;
    },
    intervalMs,
    log,
    failure: 'statistics refresh failed',
  });
}
