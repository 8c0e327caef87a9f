/**
 * The main thread's side of bench/seed/worker.ts: sends it audit entries and facts as the months
 * are seeded, and at the end copies the worker's audit log and statistics counters in from its side
 * file. Both tables are empty and without triggers then, with the same indexes as in the side file,
 * so SQLite copies table and indexes as they are (its transfer optimisation) instead of inserting
 * and indexing millions of rows one by one.
 */
import fs from 'node:fs';
import type { Transferable, Worker } from 'node:worker_threads';
import type { Db } from '../../src/db/client.js';
import { startTypeScriptWorker } from '../../src/runtime/typescript-worker.js';
import type { AuditBatch } from './audit.js';
import type { WorkerInput, WorkerMessage, WorkerResult } from './worker.js';

/** The tables the worker writes in its side file and copyIn copies into the main one. */
export const COPIED_TABLES: readonly string[] = ['audit_log', 'stats_counts'];

export class SeedWorker {
  private readonly worker: Worker;
  private readonly result: Promise<WorkerResult>;

  constructor(
    private readonly db: Db,
    mainFile: string,
    private readonly sideFile: string,
    auditIndexes: WorkerInput['auditIndexes'],
  ) {
    fs.rmSync(sideFile, { force: true });
    const tableDdl = (name: string): string => (db.$client.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) as { sql: string }).sql;
    const workerData: WorkerInput = { mainFile, sideFile, auditDdl: tableDdl('audit_log'), auditIndexes, countersDdl: tableDdl('stats_counts') };
    this.worker = startTypeScriptWorker(new URL('./worker.ts', import.meta.url), workerData);
    this.result = new Promise((resolve, reject) => {
      this.worker.on('message', (message: WorkerResult) => resolve(message));
      this.worker.on('error', reject);
      this.worker.on('exit', (code) => reject(new Error(`the seed worker exited with ${code}`)));
    });
  }

  private send(message: WorkerMessage, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  audit(batch: AuditBatch): void {
    // A batch without entries may still bring names the next ones refer to.
    if (batch.entries.length > 0 || batch.contexts.length > 0 || batch.names.length > 0) this.send({ kind: 'audit', batch }, [batch.entries.buffer]);
  }

  facts(facts: string[]): void {
    if (facts.length > 0) this.send({ kind: 'facts', facts });
  }

  /** Stops the worker after a failure, so the process can exit. */
  async abort(): Promise<void> {
    await this.worker.terminate();
    fs.rmSync(this.sideFile, { force: true });
  }

  /** No more entries or facts: the worker writes its last counters and builds its indexes, while the main thread builds its own. */
  endOfInput(): void {
    this.send({ kind: 'finish' });
  }

  /** Waits for the worker to write its last counters and build its indexes. */
  async finished(): Promise<WorkerResult> {
    const result = await this.result;
    await this.worker.terminate();
    return result;
  }

  /** Copies the worker's audit entries and counters in, once it has finished. */
  copyIn(): void {
    const client = this.db.$client;
    client.prepare('ATTACH DATABASE ? AS seed_side').run(this.sideFile);
    // Read through a memory map: the copy reads every page of the side file once, and a third of it went to read calls.
    client.pragma('seed_side.mmap_size = 17179869184');
    // Foreign keys are not enforced during the load (bench/seed/bulk.ts checks them at the end),
    // which SQLite also needs to transfer the counters, whose table has one.
    client.transaction(() => {
      for (const table of COPIED_TABLES) client.exec(`INSERT INTO main.${table} SELECT * FROM seed_side.${table}`);
    })();
    client.exec('DETACH DATABASE seed_side');
    fs.rmSync(this.sideFile, { force: true });
  }
}
