/**
 * The statistics worker thread: suppresses an organisation's tables (src/statistics/compute.ts) on
 * its own read-only connection, so the web thread never stops to do it and every view is served
 * from what the worker last produced (src/statistics/service.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/client.js';
import type { GroupFilter } from './dimensions.js';
import { computeStatistics, serialiseStatistics } from './compute.js';

interface Job {
  id: number;
  orgId: number;
  group: GroupFilter;
  threshold: number;
  now: string;
}

const db = openDatabase((workerData as { file: string }).file, { readonly: true });

parentPort?.on('message', (job: Job) => {
  try {
    const now = new Date(job.now);
    const computed = serialiseStatistics(computeStatistics(db, { orgId: job.orgId, group: job.group, threshold: job.threshold, now }), now);
    const transfer = computed.tables.flatMap((table) => [table.values.buffer, table.states.buffer]) as ArrayBuffer[];
    parentPort?.postMessage({ id: job.id, computed }, transfer);
  } catch (error) {
    // The error's name only: a database error message may quote values.
    parentPort?.postMessage({ id: job.id, error: error instanceof Error ? error.name : 'unknown' });
  }
});
