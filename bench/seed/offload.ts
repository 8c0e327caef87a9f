/**
 * The main thread's side of bench/seed/worker.ts: sends it audit entries and facts as the months
 * are seeded, and at the end copies the worker's audit log and statistics counters in from its side
 * file. Both tables are empty and without triggers then, with the same indexes as in the side file,
 * so SQLite copies table and indexes as they are (its transfer optimisation) instead of inserting
 * and indexing millions of rows one by one.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Db } from '../../src/db/client.js';
import type { WorkerInput, WorkerMessage, WorkerResult } from './worker.js';

export class SeedWorker {
  private readonly worker: Worker;
  private readonly result: Promise<WorkerResult>;

  constructor(
    private readonly db: Db,
    mainFile: string,
    private readonly sideFile: string,
    auditIndexes: string[],
  ) {
    fs.rmSync(sideFile, { force: true });
    const tableDdl = (name: string): string => (db.$client.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) as { sql: string }).sql;
    const workerData: WorkerInput = { mainFile, sideFile, auditDdl: tableDdl('audit_log'), auditIndexes, countersDdl: tableDdl('stats_counts') };
    // The worker is TypeScript too: a two-line bootstrap registers tsx in the new thread, then loads it.
    const entry = new URL('./worker.ts', import.meta.url).href;
    const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
    this.worker = new Worker(bootstrap, { eval: true, workerData });
    this.result = new Promise((resolve, reject) => {
      this.worker.on('message', (message: WorkerResult) => resolve(message));
      this.worker.on('error', reject);
      this.worker.on('exit', (code) => reject(new Error(`the seed worker exited with ${code}`)));
    });
  }

  private send(message: WorkerMessage): void {
    this.worker.postMessage(message);
  }

  audit(entries: unknown[]): void {
    if (entries.length > 0) this.send({ kind: 'audit', entries });
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

  /** Waits for the worker to finish, then copies its audit entries and counters in. */
  async copyIn(): Promise<WorkerResult> {
    const result = await this.result;
    await this.worker.terminate();
    const client = this.db.$client;
    client.prepare('ATTACH DATABASE ? AS seed_side').run(this.sideFile);
    // Foreign keys are not enforced during the load (bench/seed/bulk.ts checks them at the end),
    // which SQLite also needs to transfer the counters, whose table has one.
    client.transaction(() => {
      client.exec('INSERT INTO main.audit_log SELECT * FROM seed_side.audit_log');
      client.exec('INSERT INTO main.stats_counts SELECT * FROM seed_side.stats_counts');
    })();
    client.exec('DETACH DATABASE seed_side');
    fs.rmSync(this.sideFile, { force: true });
    return result;
  }
}
