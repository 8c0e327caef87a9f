/**
 * The seed's second thread (the machine has two cores): it chains and writes the audit entries into
 * a side file with the audit_log table's own DDL (and builds its indexes at the end), adds each case's
 * statistical fact to the province and national counters with the refresher's tallyFact, and writes
 * them with its writeTallies into the side file's stats_counts, two years of facts at a time. The main
 * thread copies both tables in when the cases are done (bench/seed/offload.ts).
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { GENESIS_HASH } from '../../src/audit/chain.js';
import { openDatabase } from '../../src/db/client.js';
import type { Tally } from '../../src/statistics/contributions.js';
import type { Fact } from '../../src/statistics/facts.js';
import { ancestorsOf, tallyFact, writeTallies } from '../../src/statistics/refresh.js';
import { AuditChain, type AuditBatch } from './audit.js';

export interface WorkerInput {
  mainFile: string;
  sideFile: string;
  auditDdl: string;
  /**
   * Built once the entries are all in, while the main thread builds its own: kept up entry by entry,
   * the actor index alone cost more than writing the rows (its 20,000 users are 20,000 insertion points).
   */
  auditIndexes: string[];
  /** stats_counts' DDL: the worker writes the counters into the side file too. */
  countersDdl: string;
}

export type WorkerMessage = { kind: 'audit'; batch: AuditBatch } | { kind: 'facts'; facts: string[] } | { kind: 'finish' };

export interface WorkerResult {
  kind: 'done';
  auditRows: number;
  /** Seconds the worker's event loop was busy: with the main thread's, where the two cores went. */
  busySeconds: number;
}

const input = workerData as WorkerInput;
const port = parentPort;
if (!port) throw new Error('bench/seed/worker.ts runs as a worker thread');

const side = new Database(input.sideFile);
side.pragma('journal_mode = MEMORY');
side.pragma('synchronous = OFF');
side.pragma('cache_size = -1048576');
// The side file has only the audit log and the counters: the counters' organisations are checked
// in the main file, after the copy (bench/seed/bulk.ts).
side.pragma('foreign_keys = OFF');
side.exec(input.auditDdl);
side.exec(input.countersDdl);
const chain = new AuditChain(side, 0, GENESIS_HASH);
const main = openDatabase(input.mainFile, { readonly: true });
const ancestors = ancestorsOf(main);
const tallies = new Map<number, Tally>();
const appendAll = side.transaction((batch: AuditBatch) => chain.append(batch));
// The counters are written two years of facts at a time, while the main thread is still seeding, rather
// than all at the end when nothing else runs; writeTallies adds to counters already written.
const TALLIED_MONTHS_PER_WRITE = 24;
let monthsTallied = 0;
const writeCounters = side.transaction(() => {
  writeTallies(side, tallies);
  tallies.clear();
});

port.on('message', (message: WorkerMessage) => {
  if (message.kind === 'audit') appendAll(message.batch);
  else if (message.kind === 'facts') {
    for (const payload of message.facts) tallyFact(tallies, ancestors, JSON.parse(payload) as Fact, 1);
    monthsTallied += 1;
    if (monthsTallied % TALLIED_MONTHS_PER_WRITE === 0) writeCounters();
  } else {
    writeCounters();
    for (const ddl of input.auditIndexes) side.exec(ddl);
    side.close();
    main.$client.close();
    const result: WorkerResult = { kind: 'done', auditRows: chain.written, busySeconds: performance.eventLoopUtilization().active / 1000 };
    port.postMessage(result);
  }
});
