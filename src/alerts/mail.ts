// Alert emails go over the open internet to mailboxes BVTE does not control, so they say only that
// something needs attention and where to look: no child, no case, no reference.
import type { FastifyBaseLogger } from 'fastify';
import nodemailer from 'nodemailer';
import { writeTransaction, type Db } from '../db/client.js';
import { translate } from '../i18n/i18n.js';
import { markEmailed, pendingEmails, type PendingEmail } from './repository.js';

export interface MailSettings {
  smtpUrl: string | null;
  mailFrom: string;
}

export interface Mailer {
  /** Sends the one "something needs your attention" message; rejects when the server refuses it. */
  sendAttention(to: string): Promise<void>;
  close(): void;
}

// A backlog (e.g. after an SMTP outage) drains over several ticks rather than in one burst.
const BATCH = 500;

/** The message itself, Vietnamese first with English below. Exported for the tests that check it. */
export function attentionMessage(publicUrl: string): { subject: string; text: string } {
  const url = `${publicUrl}/notifications`;
  return {
    subject: `${translate('vi', 'alert.email_subject')} / ${translate('en', 'alert.email_subject')}`,
    text: `${translate('vi', 'alert.email_body', { url })}\n\n----\n\n${translate('en', 'alert.email_body', { url })}\n`,
  };
}

/** Null when no SMTP_URL is set: email is off and alerts stay in the app. */
export function createMailer(settings: MailSettings, publicUrl: string): Mailer | null {
  if (!settings.smtpUrl) return null;
  const transport = nodemailer.createTransport(settings.smtpUrl);
  const message = attentionMessage(publicUrl);
  return {
    async sendAttention(to) {
      await transport.sendMail({ from: settings.mailFrom, to, ...message, headers: { 'Auto-Submitted': 'auto-generated' } });
    },
    close: () => transport.close(),
  };
}

/** What may be logged about a failed send: the kind of failure, never the address or the server's words. */
function failureOf(error: unknown): { code: string | null; responseCode: number | null } {
  const details = error as { code?: unknown; responseCode?: unknown } | null;
  return {
    code: typeof details?.code === 'string' ? details.code : null,
    responseCode: typeof details?.responseCode === 'number' ? details.responseCode : null,
  };
}

function byUser(pending: readonly PendingEmail[]): Map<number, { email: string; ids: number[] }> {
  const users = new Map<number, { email: string; ids: number[] }>();
  for (const row of pending) {
    const entry = users.get(row.userId) ?? { email: row.email, ids: [] };
    entry.ids.push(row.id);
    users.set(row.userId, entry);
  }
  return users;
}

/**
 * One email per user however many alerts wait for them (the message is the same anyway); a user's
 * alerts are marked emailed only after the server accepted it, so a failure is retried next tick.
 */
export async function sendPendingEmails(db: Db, mailer: Mailer, log: FastifyBaseLogger, now: () => Date): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  for (const { email, ids } of byUser(pendingEmails(db, BATCH)).values()) {
    try {
      await mailer.sendAttention(email);
    } catch (error) {
      failed += 1;
      log.warn(failureOf(error), 'alert email not sent; retrying next tick');
      continue;
    }
    writeTransaction(db, (tx) => markEmailed(tx, ids, now().toISOString()));
    sent += 1;
  }
  if (sent > 0 || failed > 0) log.info({ sent, failed }, 'alert emails');
  return { sent, failed };
}
