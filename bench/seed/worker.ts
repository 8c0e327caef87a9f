/**
 * The seed's second thread (the machine has two cores): it chains and writes the audit entries into
 * a side file with the audit_log table's own DDL (with its indexes, one kept up, one built at the end), and adds each
 * case's statistical fact to the province and national counters with the refresher's tallyFact,
 * counted in memory (bench/seed/counters.ts) and written into the side file's stats_counts at the end.
 * The main thread copies both tables in when the cases are done (bench/seed/offload.ts).
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { GENESIS_HASH } from '../../src/audit/chain.js';
import { openDatabase } from '../../src/db/client.js';
import type { Fact } from '../../src/statistics/facts.js';
import { ancestorsOf, tallyFact } from '../../src/statistics/refresh.js';
import { AuditChain, type AuditBatch } from './audit.js';
import { SeedCounters } from './counters.js';

export interface WorkerInput {
  mainFile: string;
  sideFile: string;
  auditDdl: string;
  auditIndexes: { name: string; sql: string }[];
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
/**
 * Kept up as the entries come in, while this thread has time to spare: entries arrive in time order,
 * and a case's within months of its report, so the entity index grows at its end and costs about as
 * much kept up as built. The actor index is built once the entries are all in, while the main thread
 * builds its own: kept up, it cost more than writing the rows (its 20,000 users are 20,000 insertion
 * points).
 */
const KEPT_UP_INDEXES = new Set(['audit_entity_idx']);
for (const index of input.auditIndexes) if (KEPT_UP_INDEXES.has(index.name)) side.exec(index.sql);
const chain = new AuditChain(side, 0, GENESIS_HASH);
const main = openDatabase(input.mainFile, { readonly: true });
const ancestors = ancestorsOf(main);
const counters = new SeedCounters();
const appendAll = side.transaction((batch: AuditBatch) => chain.append(batch));

port.on('message', (message: WorkerMessage) => {
  if (message.kind === 'audit') appendAll(message.batch);
  else if (message.kind === 'facts') {
    for (const payload of message.facts) tallyFact(counters, ancestors, JSON.parse(payload) as Fact, 1);
  } else {
    side.transaction(() => counters.write(side))();
    for (const index of input.auditIndexes) if (!KEPT_UP_INDEXES.has(index.name)) side.exec(index.sql);
    side.close();
    main.$client.close();
    const result: WorkerResult = { kind: 'done', auditRows: chain.written, busySeconds: performance.eventLoopUtilization().active / 1000 };
    port.postMessage(result);
  }
});
