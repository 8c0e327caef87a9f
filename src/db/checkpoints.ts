/**
 * WAL checkpoints off the web thread (docs/decisions/0021). Left to itself, SQLite checkpoints on the
 * connection that commits: once the WAL holds 1,000 pages, that commit also copies them into the
 * database file and fsyncs it while the event loop waits. Here a worker thread copies the pages every
 * second on its own connection instead.
 *
 * The app's connection still checkpoints for itself, but only at a larger WAL. Under a steady stream
 * of commits the worker never finds the WAL idle, and a WAL starts over from its beginning only when
 * a writer finds it fully copied; without that it would grow for as long as the load lasts. When the
 * connection does checkpoint, the worker has copied nearly everything: what is left for the web
 * thread is the last frames and one fsync.
 */
import type { FastifyBaseLogger } from 'fastify';
import { startTypeScriptWorker } from '../runtime/typescript-worker.js';
import type { CheckpointWorkerInput } from './checkpoint-worker.js';
import type { Db } from './client.js';

const INTERVAL_MS = 1_000;
/** 16 MiB of 4 KiB pages: the WAL at which the connection finishes a checkpoint itself. */
const BACKSTOP_PAGES = 4_000;

export interface BackgroundCheckpoints {
  /** Stops the worker and gives the connection back the checkpoints it had. */
  stop(): Promise<void>;
}

/** Null for a database without a WAL of its own to checkpoint: in memory or read-only. */
export function startBackgroundCheckpoints(db: Db, log: FastifyBaseLogger, intervalMs = INTERVAL_MS): BackgroundCheckpoints | null {
  const client = db.$client;
  if (client.memory || client.readonly) return null;
  const ownPages = client.pragma('wal_autocheckpoint', { simple: true }) as number;
  const restoreOwnCheckpoints = (): void => {
    if (client.open) client.pragma(`wal_autocheckpoint = ${ownPages}`);
  };
  client.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const input: CheckpointWorkerInput = { file: client.name, intervalMs };
  const worker = startTypeScriptWorker(new URL('./checkpoint-worker.ts', import.meta.url), input);
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (error) => {
    // The connection checkpoints as often as it did before the worker.
    log.error({ error: error.name }, 'checkpoint worker stopped');
    restoreOwnCheckpoints();
  });
  return {
    async stop() {
      restoreOwnCheckpoints();
      worker.postMessage('stop');
      await exited;
    },
  };
}
