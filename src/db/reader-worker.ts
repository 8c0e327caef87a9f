/**
 * The reader's thread (src/db/reader.ts): runs the statements it is sent on a read-only connection of
 * its own and posts the rows back.
 */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { answerRequests } from '../runtime/request-worker.js';
import type { ReaderJob } from './reader.js';

/** The statements kept prepared, by SQL text: a search's text differs only by its number of words. */
const KEPT_STATEMENTS = 200;

// A bare connection, as the checkpointer's: the rows go back as they come, with no schema to map them.
const db = new Database((workerData as { file: string }).file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const statements = new Map<string, Database.Statement>();

function prepared(source: string): Database.Statement {
  const kept = statements.get(source);
  if (kept) return kept;
  const statement = db.prepare(source);
  if (statements.size >= KEPT_STATEMENTS) statements.delete(statements.keys().next().value as string);
  statements.set(source, statement);
  return statement;
}

answerRequests<ReaderJob, unknown[]>((job) => prepared(job.sql).all(...job.params));
