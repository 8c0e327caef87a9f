/**
 * The main thread's side of bench/seed/worker.ts: sends it audit entries and facts as the months
 * are seeded, and at the end merges its audit file into the database and writes its counters with
 * the refresher's writeTallies. The audit table is empty, without triggers and with the same indexes
 * as the side file when it is merged, so SQLite copies table and indexes as they are (its transfer
 * optimisation) instead of inserting and indexing millions of rows one by one.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Db } from '../../src/db/client.js';
import { Tally, type Contribution } from '../../src/statistics/contributions.js';
import { writeTallies } from '../../src/statistics/refresh.js';
import type { WorkerInput, WorkerMessage, WorkerResult } from './worker.js';

/** stats_counts' key order: org_id, grp, metric, level, month, key. */
function compareCounters(a: (string | number)[], b: (string | number)[]): number {
  for (const i of [0, 1, 4, 2, 3, 5]) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

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
    const auditDdl = (db.$client.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get() as { sql: string }).sql;
    const workerData: WorkerInput = { mainFile, sideFile, auditDdl, auditIndexes };
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

  /** Waits for the worker, merges its audit entries and writes its counters; returns the audit rows merged. */
  async finish(): Promise<number> {
    this.send({ kind: 'finish' });
    const result = await this.result;
    await this.worker.terminate();
    const client = this.db.$client;
    client.prepare('ATTACH DATABASE ? AS seed_side').run(this.sideFile);
    client.transaction(() => {
      client.exec('INSERT INTO main.audit_log SELECT * FROM seed_side.audit_log');
      // In primary-key order, so the counters' WITHOUT ROWID b-tree is filled by appending.
      result.counters.sort(compareCounters);
      const tallies = new Map<number, Tally>();
      for (const [orgId, group, level, month, metric, key, n] of result.counters) {
        let tally = tallies.get(orgId as number);
        if (!tally) tallies.set(orgId as number, (tally = new Tally()));
        tally.add(group as string, { level, month, metric, key } as Contribution, n as number);
      }
      writeTallies(this.db, tallies);
    })();
    client.exec('DETACH DATABASE seed_side');
    fs.rmSync(this.sideFile, { force: true });
    return result.auditRows;
  }
}
