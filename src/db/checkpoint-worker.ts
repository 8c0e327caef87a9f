/**
 * The WAL checkpointer's thread (src/db/checkpoints.ts). On a connection of its own it runs a PASSIVE
 * checkpoint at every interval: committed pages are copied from the WAL into the database file
 * without waiting for the web thread's readers or writer, and without making them wait.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointWorkerInput {
  file: string;
  intervalMs: number;
}

const input = workerData as CheckpointWorkerInput;
const port = parentPort;
if (!port) throw new Error('src/db/checkpoint-worker.ts runs as a worker thread');

// A bare connection, not openDatabase's: drizzle and the schema would cost the thread 13 MB more.
// synchronous=FULL, as the app's: the database file is fsynced before the WAL is written over again.
const db = new Database(input.file, { fileMustExist: true });
db.pragma('synchronous = FULL');
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), input.intervalMs);

port.once('message', () => {
  clearInterval(timer);
  db.close();
  port.close();
});
