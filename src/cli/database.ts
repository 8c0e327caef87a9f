import fs from 'node:fs';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { AuditContext } from '../audit/log.js';
import { databaseFile, MIGRATIONS_DIR, openDatabase, runMigrations, type Db } from '../db/client.js';
import { CliError } from './command.js';

/** Who acts when an operator runs the CLI on the server: there is no signed-in user to name. */
export const CLI_AUDIT_CONTEXT: AuditContext = {
  actorUserId: null,
  actorRole: 'cli',
  actorOrgId: null,
  ip: null,
  requestId: null,
};

/** Opens the database of a data directory that must already hold one, so a typo in --data-dir does not create an empty database. */
export function openExistingDatabase(dataDir: string, options: { readonly?: boolean } = {}): Db {
  const file = databaseFile(dataDir);
  if (!fs.existsSync(file)) {
    throw new CliError(`No database at ${file}. Check --data-dir, or create it with: bvte migrate --data-dir ${dataDir}`);
  }
  return openDatabase(file, options);
}

/** Runs the work with the data directory's database open, and closes it whatever happens. */
export async function withDatabase<T>(dataDir: string, work: (db: Db) => T | Promise<T>, options: { readonly?: boolean } = {}): Promise<T> {
  const db = openExistingDatabase(dataDir, options);
  try {
    return await work(db);
  } finally {
    db.$client.close();
  }
}

export interface MigrationResult {
  applied: number;
  total: number;
}

function appliedMigrationCount(db: Db): number {
  const table = db.$client.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  if (!table) return 0;
  return (db.$client.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
}

/** Applies pending migrations and says how many there were, which drizzle's migrator does not report. */
export function migrateAndCount(db: Db): MigrationResult {
  const before = appliedMigrationCount(db);
  runMigrations(db);
  return { applied: appliedMigrationCount(db) - before, total: readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR }).length };
}
