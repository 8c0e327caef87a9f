import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { recordAudit, type AuditContext } from '../audit/log.js';
import { verifyAuditChain, type ChainVerdict } from '../audit/verify.js';
import { databaseFile, openDatabase, type Db } from '../db/client.js';
import { CliError } from './command.js';
import { migrateAndCount, type MigrationResult } from './database.js';
import { describeProblems, isIntact } from './report.js';

export interface TableCount {
  table: string;
  rows: number;
}

/** Every application table (not SQLite's or drizzle's bookkeeping, not FTS shadow tables), by name. */
export function rowCounts(db: Db): TableCount[] {
  const tables = db.$client
    .prepare(
      `SELECT name FROM pragma_table_list
       WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_\\_drizzle%' ESCAPE '\\'
       ORDER BY name`,
    )
    .pluck()
    .all() as string[];
  return tables.map((table) => ({
    table,
    rows: db.$client.prepare(`SELECT count(*) FROM "${table.replaceAll('"', '""')}"`).pluck().get() as number,
  }));
}

export interface DatabaseCheck {
  /** PRAGMA integrity_check's messages: exactly ['ok'] for a sound file. */
  integrity: string[];
  chain: ChainVerdict;
  counts: TableCount[];
}

export function isSound(check: DatabaseCheck): boolean {
  return isIntact(check) && check.chain.ok;
}

export function checkDatabase(db: Db): DatabaseCheck {
  const integrity = db.$client.pragma('integrity_check') as { integrity_check: string }[];
  return { integrity: integrity.map((row) => row.integrity_check), chain: verifyAuditChain(db), counts: rowCounts(db) };
}

function checkDatabaseFile(file: string): DatabaseCheck {
  const db = openDatabase(file, { readonly: true });
  try {
    return checkDatabase(db);
  } finally {
    db.$client.close();
  }
}

function isSameFile(a: string, b: string): boolean {
  const real = (file: string): string => (fs.existsSync(file) ? fs.realpathSync(file) : path.resolve(file));
  return real(a) === real(b);
}

/** An empty file only its owner can read: the copy holds everything the live database does about children. */
function createPrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'wx', 0o600));
}

function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
}

/**
 * Copies with SQLite's online backup API. The whole copy is one step: a step is one read transaction,
 * which in WAL mode never blocks the app's writers, while several small steps would restart from the
 * beginning whenever the app commits between them and might never finish under steady load.
 */
async function copyDatabase(source: Database.Database, target: string): Promise<void> {
  const allPages = 0x7fffffff;
  await source.backup(target, { progress: () => allPages });
}

export interface BackupReport extends DatabaseCheck {
  file: string;
}

export interface BackupOptions {
  /** Who to name in the live database's audit entry for the backup. */
  context: AuditContext;
  /** Replace an existing file at the target. */
  force?: boolean;
}

/**
 * Writes a consistent copy of the live database while it keeps serving, checks the copy, and audits
 * the backup in the live database. The copy is written beside the target and renamed into place, so a
 * failed backup never leaves a half-written file under the target's name.
 */
export async function backupDatabase(db: Db, target: string, options: BackupOptions): Promise<BackupReport> {
  const file = path.resolve(target);
  if (isSameFile(file, db.$client.name)) throw new CliError(`${file} is the live database; choose another file for the backup.`);
  if (fs.existsSync(file) && !options.force) throw new CliError(`${file} already exists. Use --force to replace it.`);
  if (!fs.existsSync(path.dirname(file))) throw new CliError(`Directory ${path.dirname(file)} does not exist.`);
  const partial = `${file}.partial-${process.pid}`;
  removeDatabaseFiles(partial);
  try {
    createPrivateFile(partial);
    await copyDatabase(db.$client, partial);
    // The copy inherits WAL mode; a backup should be one self-contained file with no -wal beside it.
    const copy = new Database(partial);
    copy.pragma('journal_mode = DELETE');
    copy.close();
    fs.renameSync(partial, file);
  } finally {
    removeDatabaseFiles(partial);
  }
  const check = checkDatabaseFile(file);
  recordAudit(db, options.context, { action: 'system.backup' });
  return { file, ...check };
}

export interface RestoreReport extends DatabaseCheck {
  file: string;
  migrations: MigrationResult;
}

/**
 * Restores a backup as the database of a data directory that has none, refusing to replace one
 * (nor to sit beside a stale -wal file, which SQLite would try to replay into the restored data).
 * A restored database that fails its checks is removed again, leaving the directory as it was.
 */
export async function restoreDatabase(backupFile: string, dataDir: string): Promise<RestoreReport> {
  const source = path.resolve(backupFile);
  const file = databaseFile(path.resolve(dataDir));
  if (!fs.existsSync(source)) throw new CliError(`Backup file ${source} does not exist.`);
  const existing = ['', '-wal', '-shm'].map((suffix) => `${file}${suffix}`).find((candidate) => fs.existsSync(candidate));
  if (existing) throw new CliError(`${existing} already exists. Restore only into a data directory without a database.`);
  fs.mkdirSync(path.dirname(file), { recursive: true });

  const partial = `${file}.partial-${process.pid}`;
  removeDatabaseFiles(partial);
  try {
    createPrivateFile(partial);
    const backup = new Database(source, { readonly: true, fileMustExist: true });
    try {
      await copyDatabase(backup, partial);
    } finally {
      backup.close();
    }
    fs.renameSync(partial, file);
  } finally {
    removeDatabaseFiles(partial);
  }

  const db = openDatabase(file);
  try {
    const check = checkDatabase(db);
    if (!isSound(check)) {
      db.$client.close();
      removeDatabaseFiles(file);
      throw new CliError(`The restored database failed its checks and was removed: ${describeProblems(check).join('; ')}`);
    }
    const migrations = migrateAndCount(db);
    return { file, migrations, ...check, counts: migrations.applied > 0 ? rowCounts(db) : check.counts };
  } finally {
    if (db.$client.open) db.$client.close();
  }
}
