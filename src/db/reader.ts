/**
 * Long reads off the web thread. better-sqlite3 runs a statement on the thread that calls it, so a
 * search that reads tens of thousands of matches (a province supervisor typing "h") held every other
 * request for half a second (docs/decisions/0026). A reader runs such statements on a worker thread
 * with its own read-only connection: the web thread serves other requests meanwhile, and each
 * statement sees every transaction committed before it was sent, as WAL readers do.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Worker } from 'node:worker_threads';
import type { SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { startTypeScriptWorker } from '../runtime/typescript-worker.js';
import type { Db } from './client.js';

export interface Reader {
  /** The rows of one SELECT, as plain objects keyed by column name. */
  all<T>(query: SQL): Promise<T[]>;
  close(): Promise<void>;
}

export interface ReaderJob {
  id: number;
  sql: string;
  params: unknown[];
}

export type ReaderReply = { id: number; rows: unknown[] } | { id: number; error: string };

/** The statements run where they are asked: for a database no second connection can open (in memory), and for scripts and tests. */
export function readerOnThisThread(db: Db): Reader {
  return { all: async <T>(query: SQL) => db.all<T>(query), close: async () => undefined };
}

export function createReader(db: Db, log: FastifyBaseLogger): Reader {
  const client = db.$client;
  if (client.memory) return readerOnThisThread(db);
  const dialect = new SQLiteSyncDialect();
  const waiting = new Map<number, { resolve: (rows: unknown[]) => void; reject: (error: Error) => void }>();
  let worker: Worker | null = null;
  let nextId = 0;

  const start = (): Worker => {
    // Started on first use: many app instances (and most tests) never run a long read.
    const started = startTypeScriptWorker(new URL('./reader-worker.ts', import.meta.url), { file: client.name });
    started.unref();
    started.on('message', (reply: ReaderReply) => {
      const job = waiting.get(reply.id);
      waiting.delete(reply.id);
      if ('rows' in reply) job?.resolve(reply.rows);
      else job?.reject(new Error(`read failed: ${reply.error}`));
    });
    started.on('error', (error) => {
      log.error({ error: error.name }, 'reader thread stopped');
      for (const job of waiting.values()) job.reject(error);
      waiting.clear();
      worker = null;
    });
    return started;
  };

  return {
    all<T>(query: SQL): Promise<T[]> {
      const { sql, params } = dialect.sqlToQuery(query);
      worker ??= start();
      const id = (nextId += 1);
      const rows = new Promise<unknown[]>((resolve, reject) => waiting.set(id, { resolve, reject }));
      worker.postMessage({ id, sql, params } satisfies ReaderJob);
      return rows as Promise<T[]>;
    },
    async close() {
      const running = worker;
      worker = null;
      if (!running) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.postMessage('stop');
      await exited;
    },
  };
}
