import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { localWords } from '../search/match.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
/** What a transaction callback receives; audit and repositories take either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

export function databaseFile(dataDir: string): string {
  return path.join(dataDir, 'bvte.db');
}

/**
 * Child-protection records must survive a power cut: WAL for concurrent readers,
 * synchronous=FULL so a committed transaction is on disk (docs/decisions/0002).
 */
export function openDatabase(file: string, options: { readonly?: boolean } = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  if (!options.readonly) sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Each write of a group commit runs in a savepoint, whose undo copies of the pages it changes
  // otherwise spill to a temporary file past 64 KiB: a tenth of the web thread under intakes went to
  // those file writes (docs/decisions/0013).
  sqlite.pragma('temp_store = MEMORY');
  keepPreparedStatements(sqlite);
  return drizzle(sqlite, { schema });
}

/** A connection's own prepare, for statements their caller keeps (and may set modes on) for good. */
const uncachedPrepare = new WeakMap<Database.Database, Database.Database['prepare']>();

/** Enough for every distinct query the app runs, including IN lists of many lengths. */
const STATEMENT_CACHE_SIZE = 2_000;

/**
 * drizzle prepares its SQL again on every query, and preparing costs more than running most of ours
 * (the case page profile: a tenth of its time). The connection keeps what it prepared, by SQL text,
 * and hands a statement out again with its modes reset, so no caller sees another's raw() or pluck().
 * A statement still iterating is never handed out twice.
 */
function keepPreparedStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  uncachedPrepare.set(sqlite, prepare);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    const kept = cache.get(source);
    if (kept && !kept.busy) {
      if (kept.reader) kept.raw(false).pluck(false).expand(false);
      return kept;
    }
    const statement = prepare(source);
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(source, statement);
    return statement;
  }) as Database.Database['prepare'];
}

export function runMigrations(db: Db): void {
  // Migration 0009 writes the search index's local words with the application's own function.
  db.$client.function('bvte_local_words', { deterministic: true }, (orgId: unknown, text: unknown) =>
    localWords(Number(orgId), typeof text === 'string' ? text : null),
  );
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
}

/** The better-sqlite3 connection under a database handle or a transaction. */
export function sqliteOf(db: DbOrTx): Database.Database {
  return (db as unknown as { session: { client: Database.Database } }).session.client;
}

/** One value per connection, made the first time the connection is seen (transactions share their connection's). */
function perConnection<S>(make: (db: DbOrTx, client: Database.Database) => S): (db: DbOrTx) => S {
  const byConnection = new WeakMap<Database.Database, S>();
  return (db) => {
    const client = sqliteOf(db);
    let made = byConnection.get(client);
    if (made === undefined) {
      made = make(db, client);
      byConnection.set(client, made);
    }
    return made;
  };
}

/**
 * Statements for hot paths, prepared once per connection: drizzle builds its SQL again on every call,
 * which costs more than running it (docs/decisions/0013). They bypass the shared statement cache, which
 * resets modes on reuse and would undo a kept statement's pluck() for whoever prepared the same text.
 */
export function preparedStatements<S>(prepare: (client: Pick<Database.Database, 'prepare'>) => S): (db: DbOrTx) => S {
  return perConnection((_db, client) => prepare({ prepare: uncachedPrepare.get(client) ?? client.prepare.bind(client) }));
}

/**
 * drizzle's own queries for hot paths, built once per connection with `sql.placeholder()` for what
 * varies, so their rows keep drizzle's types and column mapping: building a select of a wide table
 * costs several times what running it does (docs/decisions/0021). A prepared select switches its
 * statement to raw mode before every run, so it can share the connection's statement cache. A query
 * built inside a transaction outlives it: drizzle's transactions run on their connection's session.
 */
export function preparedQueries<Q>(build: (db: DbOrTx) => Q): (db: DbOrTx) => Q {
  return perConnection((db) => build(db));
}

/** Writes take the write lock up front, so two writers never deadlock upgrading a read lock. */
export function writeTransaction<T>(db: Db, work: (tx: Tx) => T): T {
  return db.transaction(work, { behavior: 'immediate' });
}
