/**
 * Long reads off the web thread. better-sqlite3 runs a statement on the thread that calls it, so a
 * search that reads tens of thousands of matches (a province supervisor typing "h") held every other
 * request for half a second (docs/decisions/0026). A reader runs such statements on a worker thread
 * with its own read-only connection: the web thread serves other requests meanwhile, and each
 * statement sees every transaction committed before it was sent, as WAL readers do.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { requestWorker } from '../runtime/request-worker.js';
import type { Db } from './client.js';

export interface Reader {
  /** The rows of one SELECT, as plain objects keyed by column name. */
  all<T>(query: SQL): Promise<T[]>;
  close(): Promise<void>;
}

/** A statement as text and values, as the reader's thread runs it. */
export interface ReaderJob {
  sql: string;
  params: unknown[];
}

/** The statements run where they are asked: for a database no second connection can open (in memory), and for scripts and tests. */
export function readerOnThisThread(db: Db): Reader {
  return { all: async <T>(query: SQL) => db.all<T>(query), close: async () => undefined };
}

export function createReader(db: Db, log: FastifyBaseLogger): Reader {
  const client = db.$client;
  if (client.memory) return readerOnThisThread(db);
  const dialect = new SQLiteSyncDialect();
  // Started on first use: many app instances (and most tests) never run a long read.
  const worker = requestWorker<ReaderJob, unknown[]>(new URL('./reader-worker.ts', import.meta.url), { file: client.name }, log, 'read failed');
  return {
    async all<T>(query: SQL): Promise<T[]> {
      return (await worker.request(dialect.sqlToQuery(query))) as T[];
    },
    close: () => worker.close(),
  };
}
