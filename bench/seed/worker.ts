/**
 * The seed's second thread (the machine has two cores): it chains and writes the audit entries into
 * a side file with the audit_log table's own DDL (and builds its indexes), and adds each case's statistical fact to the
 * province and national counters with the refresher's tallyFact. The main thread merges the side
 * file and writes the counters when the cases are done (bench/seed/offload.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { GENESIS_HASH } from '../../src/audit/chain.js';
import { openDatabase } from '../../src/db/client.js';
import type { Tally } from '../../src/statistics/contributions.js';
import type { Fact } from '../../src/statistics/facts.js';
import { ancestorsOf, tallyFact } from '../../src/statistics/refresh.js';
import { AuditChain } from './audit.js';

export interface WorkerInput {
  mainFile: string;
  sideFile: string;
  auditDdl: string;
  /** Built in the side file once its rows are in, while the main thread finishes its own work. */
  auditIndexes: string[];
}

export type WorkerMessage = { kind: 'audit'; entries: unknown[] } | { kind: 'facts'; facts: string[] } | { kind: 'finish' };

export interface WorkerResult {
  kind: 'done';
  auditRows: number;
  /** orgId, group, level, month, metric, key, n */
  counters: (string | number)[][];
}

const input = workerData as WorkerInput;
const port = parentPort;
if (!port) throw new Error('bench/seed/worker.ts runs as a worker thread');

const side = new Database(input.sideFile);
side.pragma('journal_mode = MEMORY');
side.pragma('synchronous = OFF');
side.exec(input.auditDdl);
const chain = new AuditChain(side, 0, GENESIS_HASH);
const main = openDatabase(input.mainFile, { readonly: true });
const ancestors = ancestorsOf(main);
const tallies = new Map<number, Tally>();
const appendAll = side.transaction((entries: unknown[]) => chain.append(entries));

port.on('message', (message: WorkerMessage) => {
  if (message.kind === 'audit') appendAll(message.entries);
  else if (message.kind === 'facts') for (const payload of message.facts) tallyFact(tallies, ancestors, JSON.parse(payload) as Fact, 1);
  else {
    for (const ddl of input.auditIndexes) side.exec(ddl);
    side.close();
    main.$client.close();
    const counters: (string | number)[][] = [];
    for (const [orgId, tally] of tallies) {
      for (const [group, counts] of tally.counts) {
        for (const { contribution: c, n } of counts.values()) counters.push([orgId, group, c.level, c.month, c.metric, c.key, n]);
      }
    }
    const result: WorkerResult = { kind: 'done', auditRows: chain.written, counters };
    port.postMessage(result);
  }
});
