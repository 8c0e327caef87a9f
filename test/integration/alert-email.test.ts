import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attentionMessage, createMailer, sendPendingEmails } from '../../src/alerts/mail.js';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { testConfig } from '../../src/config/config.js';
import { writeTransaction } from '../../src/db/client.js';
import { createIntake } from '../../src/intake/service.js';
import { createTestApp, seedOrgs, seedUser, type TestApp, type TestOrgs } from '../helpers/app.js';

const CHILD_NAME = 'Lê Hoàng Minh Châu';
const DESCRIPTION = 'Cháu bị cha dượng nhốt trong nhà kho nhiều ngày.';
const WORKER_EMAIL = 'canbo.anbinh@example.test';

interface Received {
  to: string[];
  raw: string;
}

/** A real SMTP server on a loopback port: plain SMTP, no TLS, no authentication. */
let smtp: SMTPServer;
let smtpUrl: string;
let received: Received[];
/** Addresses the server refuses, to simulate an outage or a rejected mailbox. */
let refusing: Set<string>;

beforeAll(async () => {
  smtp = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      callback(refusing.has(address.address) ? Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(resolve));
});

/** The message's text, decoded from the transfer encoding nodemailer chose for Vietnamese text, with SMTP's CRLF as \n. */
function bodyText(raw: string): string {
  return decodedBody(raw).replace(/\r\n/g, '\n').trimEnd();
}

function decodedBody(raw: string): string {
  const [headers = '', ...rest] = raw.split('\r\n\r\n');
  const body = rest.join('\r\n\r\n');
  if (/content-transfer-encoding:\s*base64/i.test(headers)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/content-transfer-encoding:\s*quoted-printable/i.test(headers)) {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_whole, hex: string) => `%${hex}`);
    return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
  }
  return body;
}

let t: TestApp;
let orgs: TestOrgs;
let workerId: number;
let quietWorkerId: number;

async function startApp(withSmtp: boolean): Promise<void> {
  t = await createTestApp(withSmtp ? { alerts: { ...testConfig().alerts, smtpUrl } } : {});
  orgs = seedOrgs(t.db);
  workerId = await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
  // A colleague without an email address gets the alert in the app only.
  quietWorkerId = await seedUser(t.db, 'canbo.a2', [{ role: 'commune_worker', orgId: orgs.communeA }]);
  t.db.$client.prepare('UPDATE users SET email = ? WHERE id = ?').run(WORKER_EMAIL, workerId);
}

function openCase(): { caseId: number; reference: string } {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'public',
      medium: 'online',
      receivedAt: new Date().toISOString(),
      sourceOrgId: null,
      child: { name: CHILD_NAME, estimatedAge: 6, sex: 'female' },
      residenceOrgId: orgs.communeA,
      description: DESCRIPTION,
      immediateDanger: true,
      categories: ['abuse_violence_physical'],
      reporter: { consented: false },
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return opened;
}

const emailedAt = (userId: number): (string | null)[] =>
  (t.db.$client.prepare('SELECT emailed_at AS at FROM notifications WHERE user_id = ? ORDER BY id').all(userId) as { at: string | null }[]).map((row) => row.at);

beforeEach(() => {
  received = [];
  refusing = new Set();
});

afterEach(async () => {
  await t.close();
});

describe('alert emails', () => {
  it('an event produces exactly one email, with a link and no child or case details', async () => {
    await startApp(true);
    const { reference } = openCase();
    const tick = await t.app.alerts.tick();
    expect(tick).toMatchObject({ sent: 1, failed: 0 });
    expect(received).toHaveLength(1);
    const [email] = received;
    expect(email!.to).toEqual([WORKER_EMAIL]);

    const text = bodyText(email!.raw);
    expect(text).toBe(attentionMessage(t.app.config.publicUrl).text.trimEnd());
    expect(text).toContain(`${t.app.config.publicUrl}/notifications`);
    expect(text).toContain('Có việc cần bạn chú ý');
    expect(text).toContain('Something needs your attention');
    for (const secret of [CHILD_NAME, 'Châu', DESCRIPTION, reference, 'An Bình', '/cases/']) {
      expect(text).not.toContain(secret);
      expect(email!.raw).not.toContain(secret);
    }

    // Sent once: the next tick finds nothing to send, and the colleague without an address got none.
    await t.app.alerts.tick();
    expect(received).toHaveLength(1);
    expect(emailedAt(workerId)).toEqual([expect.any(String)]);
    expect(emailedAt(quietWorkerId)).toEqual([null]);
  });

  it('sends one email however many alerts wait, and none for alerts already read in the app', async () => {
    await startApp(true);
    openCase();
    openCase();
    openCase();
    t.db.$client.prepare('UPDATE notifications SET read_at = ? WHERE id = (SELECT max(id) FROM notifications WHERE user_id = ?)').run(new Date().toISOString(), workerId);
    await t.app.alerts.tick();
    expect(received).toHaveLength(1);
    expect(emailedAt(workerId).filter((at) => at !== null)).toHaveLength(2);
  });

  it('retries a refused send on the next tick and logs the failure without the address', async () => {
    await startApp(true);
    openCase();
    const lines: unknown[] = [];
    const capture = (...args: unknown[]): void => {
      lines.push(args);
    };
    const log = { warn: capture, info: capture, error: capture } as unknown as FastifyBaseLogger;
    const mailer = createMailer(t.app.config.alerts, t.app.config.publicUrl)!;
    try {
      refusing.add(WORKER_EMAIL);
      expect(await sendPendingEmails(t.db, mailer, log, () => new Date())).toEqual({ sent: 0, failed: 1 });
      expect(emailedAt(workerId)).toEqual([null]);
      const logged = JSON.stringify(lines);
      expect(logged).toContain('550');
      expect(logged).not.toContain(WORKER_EMAIL);
      expect(logged).not.toContain('example.test');

      refusing.clear();
      expect(await sendPendingEmails(t.db, mailer, log, () => new Date())).toEqual({ sent: 1, failed: 0 });
      expect(received).toHaveLength(1);
      expect(emailedAt(workerId)).toEqual([expect.any(String)]);
    } finally {
      mailer.close();
    }
  });

  it('sends nothing when SMTP_URL is not set: alerts stay in the app', async () => {
    await startApp(false);
    expect(t.app.config.alerts.smtpUrl).toBeNull();
    openCase();
    expect(await t.app.alerts.tick()).toEqual({ created: 0, sent: 0, failed: 0 });
    expect(received).toEqual([]);
    expect(emailedAt(workerId)).toEqual([null]);
  });
});
