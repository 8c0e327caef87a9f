import type { FastifyBaseLogger } from 'fastify';
import { writeTransaction, type Db } from '../db/client.js';
import { deriveDueAlerts } from './due.js';
import { sendPendingEmails, type Mailer } from './mail.js';
import { insertNotifications } from './repository.js';

export interface TickResult {
  created: number;
  sent: number;
  failed: number;
}

export interface AlertScheduler {
  /** Derives the deadline alerts due now and sends pending emails; a tick still running is joined, not doubled. */
  tick(): Promise<TickResult>;
  start(): void;
  /** Stops the timer and waits for a running tick, so the database is not closed under it. */
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  db: Db;
  log: FastifyBaseLogger;
  intervalMs: number;
  mailer: Mailer | null;
  /** Tests pass a fake clock. */
  clock?: () => Date;
}

/**
 * The app's own timer. It keeps no state worth losing: every tick re-derives what is due from the
 * stored deadlines, and the notifications' unique (user, dedupe key) index makes each alert once,
 * across ticks and restarts; emailedAt does the same for emails.
 */
export function createAlertScheduler({ db, log, intervalMs, mailer, clock = () => new Date() }: SchedulerOptions): AlertScheduler {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<TickResult> | null = null;

  async function run(): Promise<TickResult> {
    const now = clock();
    const created = writeTransaction(db, (tx) => insertNotifications(tx, deriveDueAlerts(tx, now), now.toISOString()));
    const mail = mailer ? await sendPendingEmails(db, mailer, log, clock) : { sent: 0, failed: 0 };
    return { created, ...mail };
  }

  function tick(): Promise<TickResult> {
    running ??= run().finally(() => {
      running = null;
    });
    return running;
  }

  function scheduledTick(): void {
    tick().catch((error: unknown) => {
      // The error's name only: a database error message may quote values.
      log.error({ error: error instanceof Error ? error.name : 'unknown' }, 'alert scheduler tick failed');
    });
  }

  return {
    tick,
    start() {
      if (timer || intervalMs <= 0) return;
      timer = setInterval(scheduledTick, intervalMs);
      timer.unref();
      // Catch up at once after a restart instead of waiting a whole interval.
      scheduledTick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
      mailer?.close();
    },
  };
}
