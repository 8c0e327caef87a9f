/**
 * Case documents inside a backup file. A backup is one SQLite file: the database snapshot, plus two
 * tables only a backup has, holding the bytes of every document the snapshot references in parts of
 * 1 MiB (so neither side ever holds a whole large file in memory). Restore writes the files back and
 * drops the two tables. The `documents` table of the snapshot is the manifest: its size and SHA-256
 * are checked when the bytes are read on backup and again when they are written back on restore.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { storedPath } from '../casework/documents/storage.js';
import { CliError } from './command.js';

const MANIFEST_TABLE = 'backup_documents';
const PARTS_TABLE = 'backup_document_parts';
/** Tables only a backup file has: not application data, so not counted, and dropped on restore. */
export const BACKUP_TABLES: readonly string[] = [MANIFEST_TABLE, PARTS_TABLE];

const PART_BYTES = 1_048_576;

interface DocumentRecord {
  id: number;
  caseId: number;
  storedName: string;
  size: number;
  sha256: string;
}

/** A document whose bytes are not (or not correctly) in the backup, and why. */
export interface DocumentProblem {
  documentId: number;
  caseId: number;
  problem: string;
}

export interface DocumentsSummary {
  /** Documents whose bytes are in the backup (or were written back), each matching its SHA-256. */
  copied: number;
  bytes: number;
  /** Documents the database references whose bytes are not in the backup: they were missing or damaged at backup time. */
  problems: DocumentProblem[];
}

function documentRecords(db: Database.Database): DocumentRecord[] {
  return db
    .prepare('SELECT id, case_id AS caseId, stored_name AS storedName, size, sha256 FROM documents ORDER BY id')
    .all() as DocumentRecord[];
}

/** A document file that does not match its row; the backup names it instead of copying it. */
class DamagedDocument extends Error {}

function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'file missing from the documents directory';
  return `file unreadable (${typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)})`;
}

/**
 * Copies one document file into the backup in parts, checking it against its row. Reading stops one
 * part past the recorded size, so a file that grew is refused without reading all of it.
 */
function packDocument(dataDir: string, record: DocumentRecord, insertPart: Database.Statement): void {
  let file: string;
  try {
    file = storedPath(dataDir, record.storedName);
  } catch {
    throw new DamagedDocument('its stored name is not one the app makes');
  }
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    throw new DamagedDocument(describeReadError(error));
  }
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(PART_BYTES);
  let size = 0;
  // Only a failed read marks the document damaged; a failed write (a full disk) fails the whole backup.
  const readPart = (): number => {
    try {
      return fs.readSync(fd, buffer, 0, PART_BYTES, null);
    } catch (error) {
      throw new DamagedDocument(describeReadError(error));
    }
  };
  try {
    for (let part = 0; size <= record.size; part += 1) {
      const read = readPart();
      if (read === 0) break;
      const bytes = buffer.subarray(0, read);
      hash.update(bytes);
      size += read;
      insertPart.run(record.storedName, part, bytes);
    }
  } finally {
    fs.closeSync(fd);
  }
  if (size !== record.size) throw new DamagedDocument(`file is ${size > record.size ? 'larger' : 'smaller'} than the ${record.size} bytes recorded`);
  if (hash.digest('hex') !== record.sha256) throw new DamagedDocument('file content does not match its recorded SHA-256');
}

/**
 * Adds to a fresh backup copy the bytes of every document its database references, read from the live
 * data directory. This is consistent with the snapshot because a document file is written completely
 * before the transaction that adds its row commits, and is never changed or removed afterwards: every
 * row in the snapshot has its final file on disk, and files uploaded since are simply not referenced.
 * A missing or damaged file is recorded in the manifest and reported, not copied and not skipped silently.
 */
export function packDocuments(backup: Database.Database, dataDir: string): DocumentsSummary {
  backup.exec(`
    CREATE TABLE ${MANIFEST_TABLE} (stored_name TEXT PRIMARY KEY, problem TEXT);
    CREATE TABLE ${PARTS_TABLE} (
      stored_name TEXT NOT NULL REFERENCES ${MANIFEST_TABLE} (stored_name),
      part INTEGER NOT NULL,
      bytes BLOB NOT NULL,
      PRIMARY KEY (stored_name, part)
    );`);
  const insertPart = backup.prepare(`INSERT INTO ${PARTS_TABLE} (stored_name, part, bytes) VALUES (?, ?, ?)`);
  const insertManifest = backup.prepare(`INSERT INTO ${MANIFEST_TABLE} (stored_name, problem) VALUES (?, ?)`);
  // A failed document's parts are undone by its own savepoint (a nested transaction), the rest stays.
  const packOne = backup.transaction((record: DocumentRecord) => {
    insertManifest.run(record.storedName, null);
    packDocument(dataDir, record, insertPart);
  });
  const summary: DocumentsSummary = { copied: 0, bytes: 0, problems: [] };
  backup.transaction(() => {
    for (const record of documentRecords(backup)) {
      try {
        packOne(record);
        summary.copied += 1;
        summary.bytes += record.size;
      } catch (error) {
        if (!(error instanceof DamagedDocument)) throw error;
        insertManifest.run(record.storedName, error.message);
        summary.problems.push({ documentId: record.id, caseId: record.caseId, problem: error.message });
      }
    }
  })();
  return summary;
}

function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** Writes one document back from its parts (mode 0600, never over an existing file) and returns its size and SHA-256. */
function unpackDocument(parts: Database.Statement, dataDir: string, storedName: string): { size: number; sha256: string } {
  // storedPath refuses any name the app would not have made, so an altered backup cannot write outside the directory.
  const fd = fs.openSync(storedPath(dataDir, storedName), 'wx', 0o600);
  const hash = createHash('sha256');
  let size = 0;
  try {
    for (const bytes of parts.iterate(storedName) as IterableIterator<Buffer>) {
      hash.update(bytes);
      size += bytes.length;
      fs.writeSync(fd, bytes);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { size, sha256: hash.digest('hex') };
}

/** Why one document cannot be written back as its row describes, or null when it was. */
function unpackChecked(parts: Database.Statement, dataDir: string, record: DocumentRecord): string | null {
  try {
    const written = unpackDocument(parts, dataDir, record.storedName);
    if (written.size === record.size && written.sha256 === record.sha256) return null;
    return 'its bytes in the backup do not match its recorded size and SHA-256';
  } catch (error) {
    return `cannot be written back (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * Writes every document a backup holds into the documents directory of `dataDir` (created by the
 * caller, private and empty), checking each against its row's size and SHA-256. A backup whose bytes
 * do not match, or that lacks a document without having recorded why, is refused: it was damaged or
 * altered after it was written. Documents recorded as missing or damaged at backup time are returned,
 * to be reported: the restored data directory is then exactly as the live one was.
 */
export function unpackDocuments(backup: Database.Database, dataDir: string): DocumentsSummary {
  const records = documentRecords(backup);
  if (!hasTable(backup, MANIFEST_TABLE)) {
    if (records.length === 0) return { copied: 0, bytes: 0, problems: [] };
    throw new CliError(`The backup references ${records.length} document(s) but holds none of their contents: it was not made by this version of bvte backup.`);
  }
  const manifest = backup.prepare(`SELECT problem FROM ${MANIFEST_TABLE} WHERE stored_name = ?`).pluck();
  const parts = backup.prepare(`SELECT bytes FROM ${PARTS_TABLE} WHERE stored_name = ? ORDER BY part`).pluck();
  const summary: DocumentsSummary = { copied: 0, bytes: 0, problems: [] };
  const refusals: string[] = [];
  for (const record of records) {
    const problem = manifest.get(record.storedName) as string | null | undefined;
    if (typeof problem === 'string') {
      summary.problems.push({ documentId: record.id, caseId: record.caseId, problem });
      continue;
    }
    const refusal = problem === undefined ? 'not in the backup' : unpackChecked(parts, dataDir, record);
    if (refusal) {
      refusals.push(`document ${record.id} (case ${record.caseId}): ${refusal}`);
    } else {
      summary.copied += 1;
      summary.bytes += record.size;
    }
  }
  if (refusals.length > 0) {
    const more = refusals.length > 10 ? ` (and ${refusals.length - 10} more)` : '';
    throw new CliError(`The backup is damaged; nothing was restored. ${refusals.slice(0, 10).join('; ')}${more}`);
  }
  return summary;
}

/** Leaves a restored database without the backup's own tables, and without the space they took. */
export function dropBackupTables(db: Database.Database): void {
  for (const table of [PARTS_TABLE, MANIFEST_TABLE]) db.exec(`DROP TABLE IF EXISTS ${table}`);
  db.exec('VACUUM');
}
