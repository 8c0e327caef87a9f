/**
 * Serves suppressed statistics fast: results are kept per organisation, filter and month, and when
 * the counts change (the refresher bumps the data version) a view gets the last result at once
 * while the worker computes the new one; the refresher itself has the worker redo the results
 * viewed recently, so the next views are both fast and fresh (docs/decisions/0011).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.js';
import { requestWorker } from '../runtime/request-worker.js';
import { computeStatistics, restoreStatistics, type ComputedStatistics, type ComputeRequest } from './compute.js';
import type { GroupFilter } from './dimensions.js';
import { monthKeyOf } from './periods.js';
import { dataVersion } from './refresh.js';
import type { WorkerJob } from './worker.js';
import type { ProtectedStatistics } from './tables.js';

interface Entry {
  request: ComputeRequest;
  version: number;
  value: ProtectedStatistics | null;
  pending: Promise<ProtectedStatistics> | null;
  usedAt: number;
}

export interface StatisticsService {
  /** The tables for an organisation and filter: fresh, or the previous ones while fresh ones are computed. */
  get(orgId: number, group: GroupFilter, now?: Date): Promise<ProtectedStatistics>;
  /** Recomputes, in the worker, the results viewed in the last minutes whose counts have changed. */
  warm(): Promise<void>;
  close(): Promise<void>;
}

/** Results viewed within this long are recomputed after a refresh; older ones only when next viewed. */
const WARM_WINDOW_MS = 15 * 60_000;
const CAPACITY = 128;

/** Computes in a worker thread; in-process when the database is in memory (no second connection can see it). */
function createComputer(db: Db, log: FastifyBaseLogger): { compute(request: ComputeRequest): Promise<ProtectedStatistics>; close(): Promise<void> } {
  const file = db.$client.name;
  if (!file || file === ':memory:') {
    return { compute: async (request) => computeStatistics(db, request), close: async () => undefined };
  }
  // Started on first use: most app instances (and most tests) never show statistics.
  const worker = requestWorker<WorkerJob, ComputedStatistics>(new URL('./worker.ts', import.meta.url), { file }, log, 'statistics worker failed');
  return {
    compute: async (request) =>
      restoreStatistics(
        await worker.request({ orgId: request.orgId, group: request.group, threshold: request.threshold, now: request.now.toISOString() }),
      ),
    close: () => worker.close(),
  };
}

export function createStatisticsService(options: { db: Db; threshold: number; log: FastifyBaseLogger }): StatisticsService {
  const { db, threshold, log } = options;
  const computer = createComputer(db, log);
  const entries = new Map<string, Entry>();

  function refresh(entry: Entry, version: number): Promise<ProtectedStatistics> {
    entry.pending ??= computer
      .compute(entry.request)
      .then((value) => {
        entry.value = value;
        entry.version = version;
        return value;
      })
      .finally(() => {
        entry.pending = null;
      });
    return entry.pending;
  }

  return {
    async get(orgId, group, now = new Date()) {
      const key = [orgId, group, monthKeyOf(now)].join('|');
      const version = dataVersion(db);
      let entry = entries.get(key);
      if (!entry) {
        entry = { request: { orgId, group, threshold, now }, version: -1, value: null, pending: null, usedAt: 0 };
        entries.set(key, entry);
        if (entries.size > CAPACITY) {
          const oldest = [...entries].sort((a, b) => a[1].usedAt - b[1].usedAt)[0];
          if (oldest) entries.delete(oldest[0]);
        }
      }
      entry.usedAt = Date.now();
      if (entry.value && entry.version === version) return entry.value;
      const fresh = refresh(entry, version);
      // Counts changed since: the previous result is still a whole, consistently suppressed set of tables.
      if (entry.value) {
        fresh.catch((error: unknown) => log.error({ error: error instanceof Error ? error.name : 'unknown' }, 'statistics recompute failed'));
        return entry.value;
      }
      return fresh;
    },
    async warm() {
      const version = dataVersion(db);
      const recent = [...entries.values()].filter((entry) => entry.version !== version && Date.now() - entry.usedAt < WARM_WINDOW_MS);
      for (const entry of recent) await refresh(entry, version).catch(() => undefined);
    },
    close: () => computer.close(),
  };
}

