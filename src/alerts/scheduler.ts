import type { FastifyBaseLogger } from 'fastify';
import { writeTransaction, type Db } from '../db/client.js';
import { periodicJob, type PeriodicJob } from '../runtime/periodic-job.js';
import { deriveDueAlerts } from './due.js';
import { sendPendingEmails, type Mailer } from './mail.js';
import { insertNotifications } from './repository.js';

export interface TickResult {
  created: number;
  sent: number;
  failed: number;
}

export type AlertScheduler = PeriodicJob<TickResult>;

export interface SchedulerOptions {
  db: Db;
  log: FastifyBaseLogger;
  intervalMs: number;
  mailer: Mailer | null;
  /** Tests pass a fake clock. */
  clock?: () => Date;
}

/**
 * The app's own timer: each tick derives the deadline alerts due now and sends pending emails. It
 * keeps no state worth losing: every tick re-derives what is due from the stored deadlines, and the
 * notifications' unique (user, dedupe key) index makes each alert once, across ticks and restarts;
 * emailedAt does the same for emails.
 */
export function createAlertScheduler({ db, log, intervalMs, mailer, clock = () => new Date() }: SchedulerOptions): AlertScheduler {
  const job = periodicJob({
    async run() {
      const now = clock();
      const created = writeTransaction(db, (tx) => insertNotifications(tx, deriveDueAlerts(tx, now), now.toISOString()));
      const mail = mailer ? await sendPendingEmails(db, mailer, log, clock) : { sent: 0, failed: 0 };
      return { created, ...mail };
    },
    intervalMs,
    log,
    failure: 'alert scheduler tick failed',
  });
  return {
    ...job,
    async stop() {
      await job.stop();
      mailer?.close();
    },
  };
}
