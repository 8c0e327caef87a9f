/**
 * The statistics worker thread: suppresses an organisation's tables (src/statistics/compute.ts) on
 * its own read-only connection, so the web thread never stops to do it and every view is served
 * from what the worker last produced (src/statistics/service.ts).
 */
import { workerData } from 'node:worker_threads';
import { openDatabase } from '../db/client.js';
import { answerRequests } from '../runtime/request-worker.js';
import type { GroupFilter } from './dimensions.js';
import { computeStatistics, serialiseStatistics, type ComputedStatistics } from './compute.js';

/** What the service asks of the worker: computeStatistics's request, its date as text. */
export interface WorkerJob {
  orgId: number;
  group: GroupFilter;
  threshold: number;
  now: string;
}

const db = openDatabase((workerData as { file: string }).file, { readonly: true });

answerRequests<WorkerJob, ComputedStatistics>(
  (job) => {
    const now = new Date(job.now);
    return serialiseStatistics(computeStatistics(db, { orgId: job.orgId, group: job.group, threshold: job.threshold, now }), now);
  },
  (computed) => computed.tables.flatMap((table) => [table.values.buffer, table.states.buffer]) as ArrayBuffer[],
);
