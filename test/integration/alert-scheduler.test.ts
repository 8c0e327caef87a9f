import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { testConfig, type Config } from '../../src/config/config.js';
import { openDatabase, writeTransaction } from '../../src/db/client.js';
import { createIntake } from '../../src/intake/service.js';
import { seedOrgs, seedUser, type TestOrgs } from '../helpers/app.js';
import { freshDatabase, removeDatabase, type TestDatabase } from '../helpers/db.js';

// Wednesday 18 November 2026, 09:00 in Viet Nam: the 12-hour emergency clock runs out at 21:00 (14:00Z).
const RECEIVED_AT = '2026-11-18T02:00:00.000Z';
const DUE_AT = '2026-11-18T14:00:00.000Z';

let smtp: SMTPServer;
let smtpUrl: string;
let emails: number;

beforeAll(async () => {
  smtp = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        emails += 1;
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

let database: TestDatabase;
let orgs: TestOrgs;
let workerId: number;
let apps: FastifyInstance[];

/** An app instance on the test database; each call is a fresh start of the server on the same file. */
async function startApp(overrides: Partial<Config> = {}): Promise<FastifyInstance> {
  const db = apps.length === 0 ? database.db : openDatabase(database.file);
  const app = await buildApp({ config: testConfig({ dataDir: database.dataDir, alerts: { ...testConfig().alerts, smtpUrl }, ...overrides }), db });
  await app.ready();
  apps.push(app);
  return app;
}

/** Ticks the app's scheduler as if the clock said `now`. */
async function tickAt(app: FastifyInstance, now: string): Promise<{ created: number; sent: number }> {
  vi.setSystemTime(new Date(now));
  return app.alerts.tick();
}

function openCase(): number {
  const opened = writeTransaction(database.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'hotline',
      medium: 'phone',
      receivedAt: RECEIVED_AT,
      sourceOrgId: orgs.hotline,
      child: { name: 'Phạm Gia Huy', estimatedAge: 11, sex: 'male' },
      residenceOrgId: orgs.communeA,
      description: 'Cháu bỏ học đi làm thuê.',
      immediateDanger: false,
      categories: ['abuse_violence_physical'],
      reporter: { consented: false },
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return opened.caseId;
}

const deadlineAlerts = (): { user_id: number; kind: string; dedupe_key: string; emailed_at: string | null }[] =>
  database.db.$client
    .prepare(`SELECT user_id, kind, dedupe_key, emailed_at FROM notifications WHERE kind NOT IN ('new_case') ORDER BY id`)
    .all() as never;

beforeEach(async () => {
  // Only Date is faked: timers and sockets (the SMTP exchange) run for real.
  vi.useFakeTimers({ toFake: ['Date'] });
  emails = 0;
  apps = [];
  database = freshDatabase();
  orgs = seedOrgs(database.db);
  workerId = await seedUser(database.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
  database.db.$client.prepare('UPDATE users SET email = ? WHERE id = ?').run('canbo.a@example.test', workerId);
});

afterEach(async () => {
  vi.useRealTimers();
  for (const app of apps.reverse()) await app.close();
  for (const app of apps) if (app.db !== database.db) app.db.$client.close();
  removeDatabase(database);
});

describe('the alert scheduler', () => {
  it('warns once within 2 hours of a deadline, once more when it passes, and not again after a restart', async () => {
    const caseId = openCase();
    const app = await startApp();
    // The new-intake alert and its email go out on the first tick; the deadline is still far.
    expect(await tickAt(app, '2026-11-18T08:00:00.000Z')).toMatchObject({ created: 0, sent: 1 });
    expect(deadlineAlerts()).toEqual([]);

    expect(await tickAt(app, '2026-11-18T12:30:00.000Z')).toMatchObject({ created: 1, sent: 1 });
    expect(deadlineAlerts()).toEqual([
      { user_id: workerId, kind: 'due_soon', dedupe_key: `due_soon:case:${caseId}:${DUE_AT}`, emailed_at: expect.any(String) },
    ]);
    expect(await tickAt(app, '2026-11-18T12:31:00.000Z')).toMatchObject({ created: 0, sent: 0 });

    expect(await tickAt(app, '2026-11-18T14:00:30.000Z')).toMatchObject({ created: 1, sent: 1 });
    expect(deadlineAlerts().map((row) => row.dedupe_key)).toEqual([`due_soon:case:${caseId}:${DUE_AT}`, `overdue:case:${caseId}:${DUE_AT}`]);
    expect(emails).toBe(3);

    // A restart: a new app instance on the same database derives the same alerts and sends nothing again.
    await app.close();
    const restarted = await startApp();
    expect(await tickAt(restarted, '2026-11-18T14:05:00.000Z')).toMatchObject({ created: 0, sent: 0 });
    expect(deadlineAlerts()).toHaveLength(2);
    expect(emails).toBe(3);
  });

  it('alerts again for a new deadline', async () => {
    const caseId = openCase();
    const app = await startApp();
    await tickAt(app, '2026-11-18T12:30:00.000Z');
    const later = '2026-11-19T02:00:00.000Z';
    database.db.$client.prepare('UPDATE cases SET next_due_at = ? WHERE id = ?').run(later, caseId);
    expect(await tickAt(app, '2026-11-18T12:45:00.000Z')).toMatchObject({ created: 0 });
    expect(await tickAt(app, '2026-11-19T00:30:00.000Z')).toMatchObject({ created: 1 });
    expect(deadlineAlerts().map((row) => row.dedupe_key)).toEqual([`due_soon:case:${caseId}:${DUE_AT}`, `due_soon:case:${caseId}:${later}`]);
  });

  it('alerts once about services and follow-up visits left undone after their day, not about done ones', async () => {
    const caseId = openCase();
    const insertService = database.db.$client.prepare(
      `INSERT INTO services (case_id, kind, description, due_on, implemented_on, created_by) VALUES (?, 'psychological', 'Tư vấn tâm lý', ?, ?, ?)`,
    );
    const overdueService = Number(insertService.run(caseId, '2026-11-20', null, workerId).lastInsertRowid);
    insertService.run(caseId, '2026-11-20', '2026-11-19', workerId);
    const visit = Number(
      database.db.$client
        .prepare(`INSERT INTO follow_ups (case_id, due_on, assigned_user_id, created_by) VALUES (?, '2026-11-21', ?, ?)`)
        .run(caseId, workerId, workerId).lastInsertRowid,
    );
    // The case's own deadline is settled, so only the services and visits are due.
    database.db.$client.prepare('UPDATE cases SET next_due_at = NULL WHERE id = ?').run(caseId);
    const app = await startApp();

    // Still 20/11 in Viet Nam (23:30): the service is due today, not overdue yet.
    expect(await tickAt(app, '2026-11-20T16:30:00.000Z')).toMatchObject({ created: 0 });
    expect(await tickAt(app, '2026-11-21T17:30:00.000Z')).toMatchObject({ created: 2 });
    expect(deadlineAlerts().map((row) => [row.kind, row.dedupe_key])).toEqual([
      ['service_overdue', `overdue:service:${overdueService}:2026-11-20`],
      ['follow_up_overdue', `overdue:follow_up:${visit}:2026-11-21`],
    ]);
    expect(await tickAt(app, '2026-11-21T17:31:00.000Z')).toMatchObject({ created: 0 });
  });

  it('is started by the app when ALERT_INTERVAL_SECONDS is set, and off in tests otherwise', async () => {
    openCase();
    vi.setSystemTime(new Date('2026-11-18T14:30:00.000Z'));
    const idle = await startApp();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(deadlineAlerts()).toEqual([]);
    await idle.close();

    const running = await startApp({ alerts: { ...testConfig().alerts, smtpUrl: null, intervalMs: 60_000 } });
    // The first tick runs at start-up, catching up on what fell due while the server was down.
    await vi.waitFor(() => expect(deadlineAlerts().map((row) => row.kind)).toEqual(['overdue']));
    await running.close();
  });
});
