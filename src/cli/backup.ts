import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { recordAudit, type AuditContext } from '../audit/log.js';
import { verifyAuditChain, type ChainVerdict } from '../audit/verify.js';
import { documentsDirectory } from '../casework/documents/storage.js';
import { databaseFile, openDatabase, type Db } from '../db/client.js';
import { BACKUP_TABLES, dropBackupTables, packDocuments, unpackDocuments, type DocumentsSummary } from './backup-documents.js';
import { CliError } from './command.js';
import { migrateAndCount, type MigrationResult } from './database.js';
import { describeProblems, isIntact } from './report.js';

export interface TableCount {
  table: string;
  rows: number;
}

/** Every application table (not SQLite's, drizzle's or a backup's bookkeeping, not FTS shadow tables), by name. */
export function rowCounts(db: Db): TableCount[] {
  const tables = db.$client
    .prepare(
      `SELECT name FROM pragma_table_list
       WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_\\_drizzle%' ESCAPE '\\'
       ORDER BY name`,
    )
    .pluck()
    .all() as string[];
  return tables.filter((table) => !BACKUP_TABLES.includes(table)).map((table) => ({
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

/** Makes a rename or new files in the directory survive a power cut, as the files themselves do. */
function syncDirectory(directory: string): void {
  const fd = fs.openSync(directory, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
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
  documents: DocumentsSummary;
}

export interface BackupOptions {
  /** Who to name in the live database's audit entry for the backup. */
  context: AuditContext;
  /** The live data directory, whose documents/ holds the files the database references. */
  dataDir: string;
  /** Replace an existing file at the target. */
  force?: boolean;
}

/**
 * Writes one self-contained backup file while the app keeps serving: a consistent snapshot of the live
 * database, then the bytes of every document that snapshot references (src/cli/backup-documents.ts).
 * The copy is checked, and the backup audited in the live database. It is written beside the target
 * and renamed into place, so a failed backup never leaves a half-written file under the target's name.
 * Missing or damaged documents do not stop the backup (the database in it is still the best copy there
 * is); they are named in the report, and the command fails so that nobody takes the backup for whole.
 */
export async function backupDatabase(db: Db, target: string, options: BackupOptions): Promise<BackupReport> {
  const file = path.resolve(target);
  if (isSameFile(file, db.$client.name)) throw new CliError(`${file} is the live database; choose another file for the backup.`);
  if (fs.existsSync(file) && !options.force) throw new CliError(`${file} already exists. Use --force to replace it.`);
  if (!fs.existsSync(path.dirname(file))) throw new CliError(`Directory ${path.dirname(file)} does not exist.`);
  const partial = `${file}.partial-${process.pid}`;
  removeDatabaseFiles(partial);
  let documents: DocumentsSummary;
  try {
    createPrivateFile(partial);
    await copyDatabase(db.$client, partial);
    const copy = new Database(partial);
    try {
      // The copy inherits WAL mode; a backup should be one self-contained file with no -wal beside it.
      copy.pragma('journal_mode = DELETE');
      documents = packDocuments(copy, options.dataDir);
    } finally {
      copy.close();
    }
    fs.renameSync(partial, file);
    syncDirectory(path.dirname(file));
  } finally {
    removeDatabaseFiles(partial);
  }
  const check = checkDatabaseFile(file);
  recordAudit(db, options.context, { action: 'system.backup' });
  return { file, documents, ...check };
}

/** A backup to rely on: the copy passed its checks and holds every document its database references. */
export function isComplete(report: BackupReport): boolean {
  return isSound(report) && report.documents.problems.length === 0;
}

export interface RestoreReport extends DatabaseCheck {
  file: string;
  documents: DocumentsSummary;
  migrations: MigrationResult;
}

/** Restoring merges into nothing: anything already in the directory may be someone's data. */
function refuseUnlessEmpty(dataDir: string): void {
  if (!fs.existsSync(dataDir)) return;
  if (!fs.statSync(dataDir).isDirectory()) throw new CliError(`${dataDir} is not a directory.`);
  // A file system's root holds lost+found from the start, and a data directory may be one.
  const entries = fs.readdirSync(dataDir).filter((name) => name !== 'lost+found');
  if (entries.length > 0) {
    throw new CliError(`${dataDir} is not empty (it holds ${entries.slice(0, 5).join(', ')}). Restore only into an empty data directory.`);
  }
}

/** Writes the documents back, then leaves the database as the live one was: without the backup's own tables. */
function restoreDocuments(partial: string, dataDir: string): DocumentsSummary {
  const copy = new Database(partial);
  try {
    const documents = unpackDocuments(copy, dataDir);
    dropBackupTables(copy);
    return documents;
  } finally {
    copy.close();
  }
}

/** Checks the restored database and brings its schema up to date; one that fails its checks is refused. */
function checkAndMigrate(file: string): { check: DatabaseCheck; migrations: MigrationResult } {
  const db = openDatabase(file);
  try {
    const check = checkDatabase(db);
    if (!isSound(check)) throw new CliError(`The restored database failed its checks; nothing was restored: ${describeProblems(check).join('; ')}`);
    const migrations = migrateAndCount(db);
    return { check: migrations.applied > 0 ? { ...check, counts: rowCounts(db) } : check, migrations };
  } finally {
    db.$client.close();
  }
}

/**
 * Restores a backup into a data directory that is empty or does not exist yet: the database and every
 * document, each checked against its SHA-256, the directory and files private to the owner. The
 * database is prepared and checked under a temporary name and renamed into place last; on any failure
 * it and the documents written so far are removed, leaving the directory as it was (or absent).
 */
export async function restoreDatabase(backupFile: string, dataDir: string): Promise<RestoreReport> {
  const source = path.resolve(backupFile);
  const target = path.resolve(dataDir);
  const file = databaseFile(target);
  if (!fs.existsSync(source)) throw new CliError(`Backup file ${source} does not exist.`);
  refuseUnlessEmpty(target);
  const created = !fs.existsSync(target);
  fs.mkdirSync(target, { recursive: true, mode: 0o700 });

  const partial = `${file}.partial-${process.pid}`;
  const documentsDir = documentsDirectory(target);
  let restored = false;
  try {
    createPrivateFile(partial);
    const backup = new Database(source, { readonly: true, fileMustExist: true });
    try {
      await copyDatabase(backup, partial);
    } finally {
      backup.close();
    }
    fs.mkdirSync(documentsDir, { mode: 0o700 });
    const documents = restoreDocuments(partial, target);
    syncDirectory(documentsDir);
    const { check, migrations } = checkAndMigrate(partial);
    fs.renameSync(partial, file);
    syncDirectory(target);
    restored = true;
    return { file, documents, migrations, ...check };
  } catch (error) {
    if (error instanceof Database.SqliteError) throw new CliError(`Cannot restore ${source}: ${error.message}. Is it a file written by bvte backup?`);
    throw error;
  } finally {
    removeDatabaseFiles(partial);
    if (!restored) {
      fs.rmSync(documentsDir, { recursive: true, force: true });
      if (created) fs.rmdirSync(target);
    }
  }
}
