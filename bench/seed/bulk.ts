/**
 * Bulk-load settings for a throw-away file that is being filled from scratch. Secondary indexes and
 * the statistics queue triggers are taken out for the load and put back from their own DDL, read
 * from sqlite_master before dropping, so the finished file has exactly the schema the migrations
 * made. Unique indexes stay, so every row is checked against them as the app would check it; foreign
 * keys are checked once per table at the end (PRAGMA foreign_key_check) rather than row by row.
 * The statistics triggers only queue rows for the refresher; the seed computes the same facts
 * and counters directly, so nothing is left queued. The audit log's triggers refuse UPDATE and
 * DELETE, which the seed never does; without them the audit table can take the worker's entries in
 * one copy (bench/seed/offload.ts). The full-text index is not merged during the load: its pending
 * words go out in large segments, which are merged once, at the end.
 */
import type Database from 'better-sqlite3';

interface SchemaObject {
  type: 'index' | 'trigger';
  name: string;
  sql: string;
}

/**
 * FTS5's settings for the load, and the defaults they go back to: pending words written out every
 * 64 MiB instead of every MiB, and segments left unmerged (automerge off, crisismerge at its
 * maximum). Written out every 64 cases and merged as they came, the segments cost about 77 µs a
 * case at a million cases, three times the words themselves; one 'optimize' at the end merges them
 * all in one pass (docs/decisions/0012, round 4).
 */
const SEARCH_INDEX_LOAD = { hashsize: 64 << 20, automerge: 0, crisismerge: 2000 };
const SEARCH_INDEX_DEFAULTS = { hashsize: 1 << 20, automerge: 4, crisismerge: 16 };

function configureSearchIndex(client: Database.Database, settings: Record<string, number>): void {
  // FTS5 takes a setting only as an integer, and better-sqlite3 binds a number as a real.
  const set = client.prepare('INSERT INTO case_search (case_search, rank) VALUES (?, ?)');
  for (const [key, value] of Object.entries(settings)) set.run(key, BigInt(value));
}

/** Non-unique indexes on the tables that receive millions of rows: cheaper to build once, sorted. */
const REBUILT_INDEXES = [
  'audit_entity_idx',
  'audit_actor_idx',
  'cases_org_state_idx',
  'cases_assigned_idx',
  'cases_child_idx',
  'cases_state_due_idx',
  'children_school_idx',
  'children_residence_idx',
  'case_categories_code_idx',
  'case_timeline_case_idx',
  'case_assignments_case_idx',
  'stats_facts_unit_idx',
] as const;

function suspended(client: Database.Database): SchemaObject[] {
  const indexes = client
    .prepare(`SELECT type, name, sql FROM sqlite_master WHERE type = 'index' AND name IN (${REBUILT_INDEXES.map(() => '?').join(', ')})`)
    .all(...REBUILT_INDEXES) as SchemaObject[];
  const triggers = client
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE type = 'trigger' AND (name LIKE 'stats\\_%' ESCAPE '\\' OR tbl_name = 'audit_log')")
    .all() as SchemaObject[];
  if (indexes.length !== REBUILT_INDEXES.length) throw new Error('the schema lacks an index the seed expects; check bench/seed/bulk.ts');
  return [...indexes, ...triggers];
}

export interface BulkLoad {
  /** The audit log's indexes, for the side file that builds them in parallel (bench/seed/offload.ts). */
  auditIndexes: { name: string; sql: string }[];
  /**
   * Builds the indexes: the audit log's on its still empty table, so the side file's copy brings
   * its built indexes along, and the others from the loaded rows while the worker finishes. Merges
   * the full-text index into one segment: every word of a search is looked up in each segment, and
   * merged into one, a province's search took half the time (docs/decisions/0023).
   */
  restoreIndexes(): void;
  /** Fails if any row of these tables breaks a foreign key. */
  checkForeignKeys(tables: readonly string[]): void;
  /** The tables that have foreign keys. */
  tablesWithForeignKeys(): string[];
  /** Puts the triggers back (after the copy: a table with triggers is copied row by row) and restores durable settings. */
  finish(): void;
}

export function startBulkLoad(client: Database.Database): BulkLoad {
  const objects = suspended(client);
  for (const object of objects) client.exec(`DROP ${object.type.toUpperCase()} ${object.name}`);
  // A fresh file nobody else writes: the rollback journal in memory (better-sqlite3's defensive mode
  // refuses journal_mode=OFF), no fsync per commit. WAL and synchronous=FULL come back in finish().
  if (client.pragma('journal_mode = MEMORY', { simple: true }) !== 'memory') throw new Error('could not leave WAL mode for the bulk load');
  client.pragma('synchronous = OFF');
  client.pragma('cache_size = -1048576');
  client.pragma('temp_store = MEMORY');
  // Checked once, over every table, in finish(): a tenth of the load's time goes to row-by-row checks.
  client.pragma('foreign_keys = OFF');
  configureSearchIndex(client, SEARCH_INDEX_LOAD);
  const indexes = objects.filter((object) => object.type === 'index');
  return {
    auditIndexes: indexes.filter((object) => object.name.startsWith('audit_')).map(({ name, sql }) => ({ name, sql })),
    restoreIndexes() {
      for (const object of indexes) client.exec(object.sql);
      client.exec("INSERT INTO case_search (case_search) VALUES ('optimize')");
      configureSearchIndex(client, SEARCH_INDEX_DEFAULTS);
    },
    checkForeignKeys(tables) {
      for (const table of tables) {
        const broken = client.prepare('SELECT "table" FROM pragma_foreign_key_check(?)').all(table) as { table: string }[];
        if (broken.length > 0) throw new Error(`${broken.length} rows break a foreign key, first in ${broken[0]?.table}`);
      }
    },
    tablesWithForeignKeys() {
      return client
        .prepare("SELECT name FROM sqlite_master AS m WHERE type = 'table' AND EXISTS (SELECT 1 FROM pragma_foreign_key_list(m.name)) ORDER BY name")
        .pluck()
        .all() as string[];
    },
    finish() {
      for (const object of objects) if (object.type === 'trigger') client.exec(object.sql);
      client.pragma('foreign_keys = ON');
      client.pragma('journal_mode = WAL');
      client.pragma('synchronous = FULL');
    },
  };
}
