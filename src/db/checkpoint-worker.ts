/**
 * The WAL checkpointer's thread (src/db/checkpoints.ts). On a connection of its own it runs a PASSIVE
 * checkpoint at every interval: committed pages are copied from the WAL into the database file
 * without waiting for the web thread's readers or writer, and without making them wait.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './client.js';

export interface CheckpointWorkerInput {
  file: string;
  intervalMs: number;
}

const input = workerData as CheckpointWorkerInput;
const port = parentPort;
if (!port) throw new Error('src/db/checkpoint-worker.ts runs as a worker thread');

// openDatabase's synchronous=FULL: the database file is fsynced before the WAL is written over again.
const db = openDatabase(input.file);
const timer = setInterval(() => db.$client.pragma('wal_checkpoint(PASSIVE)'), input.intervalMs);

port.once('message', () => {
  clearInterval(timer);
  db.$client.close();
  port.close();
});
