/**
 * Work the app does on its own timer (deadline alerts, statistics counters, search index merging).
 * A tick while one runs joins it rather than starting a second; the timer never keeps the process
 * alive; start runs a tick at once, to catch up after a restart rather than an interval later; stop
 * waits for the running tick, so the database is not closed under it.
 */
import type { FastifyBaseLogger } from 'fastify';

export interface PeriodicJob<T> {
  /** Runs the job now, or joins the run in progress. */
  tick(): Promise<T>;
  start(): void;
  stop(): Promise<void>;
}

export interface PeriodicJobOptions<T> {
  /** `stopping()` turns true once stop was called: a long run checks it between its steps. */
  run(stopping: () => boolean): Promise<T>;
  intervalMs: number;
  log: FastifyBaseLogger;
  /** What the log says when a scheduled tick fails. */
  failure: string;
}

export function periodicJob<T>({ run, intervalMs, log, failure }: PeriodicJobOptions<T>): PeriodicJob<T> {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<T> | null = null;
  let stopping = false;

  function tick(): Promise<T> {
    running ??= run(() => stopping).finally(() => {
      running = null;
    });
    return running;
  }

  function scheduledTick(): void {
    tick().catch((error: unknown) => {
      // The error's name only: a database error message may quote values.
      log.error({ error: error instanceof Error ? error.name : 'unknown' }, failure);
    });
  }

  return {
    tick,
    start() {
      if (timer || intervalMs <= 0) return;
      stopping = false;
      timer = setInterval(scheduledTick, intervalMs);
      timer.unref();
      scheduledTick();
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}
