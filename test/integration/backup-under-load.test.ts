// `bvte backup` while the real app serves writes, then `bvte restore` into an empty data directory: the
// restored data is exactly the database at one moment (row counts as the backup reported them, every
// intake acknowledged before the backup started, an audit log that is a prefix of the live one, ids and
// hashes alike), the documents come back byte for byte, and the app starts on the restored directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/api/keys.js';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { sessionIdFromToken } from '../../src/auth/session.js';
import { rowCounts } from '../../src/cli/backup.js';
import { openDatabase, type Db } from '../../src/db/client.js';
import { seedOrgs, seedUser, TEST_PASSWORD, type TestOrgs } from '../helpers/app.js';
import { TEMPLATE_DB, TEST_TMP_DIR } from '../paths.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Ports 4150–4159 belong to this test. */
const LIVE_PORT = 4150;
const RESTORED_PORT = 4151;
const WRITERS = 6;

interface Finished {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real executable without blocking this process, so the load keeps flowing meanwhile. */
function bvte(args: string[], env: Record<string, string | undefined> = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/bvte.js', ...args], { cwd: REPO_ROOT, env: { ...process.env, DATA_DIR: undefined, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** The app as deployed: `node --import tsx src/server.ts`, configured only through its environment. */
async function startServer(dataDir: string, port: number): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'test', LOG_LEVEL: 'warn', ALERT_INTERVAL_SECONDS: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: Server = {
    url: `http://127.0.0.1:${port}`,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}: ${stderr}`);
    const healthy = await fetch(`${server.url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return server;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await server.stop();
  throw new Error(`the app did not answer /healthz within a minute: ${stderr}`);
}

function intakeBody(orgs: TestOrgs, n: number): string {
  return JSON.stringify({
    receivedAt: new Date(Date.now() - 60_000).toISOString(),
    medium: 'phone',
    child: { name: `Nguyễn Văn Tải ${n}`, estimatedAge: 9, sex: 'male' },
    residenceCommuneId: orgs.communeA,
    description: 'Hàng xóm nghe thấy tiếng trẻ khóc và tiếng đánh nhiều lần trong tuần.',
    immediateDanger: false,
    categories: ['abuse_violence_physical'],
    reporter: { consented: false },
  });
}

/** The Rows per table block that backup and restore print, as a table → rows map. */
function printedCounts(stdout: string): Record<string, number> {
  const lines = stdout.split('\n');
  const start = lines.indexOf('Rows per table (số dòng):');
  const counts: Record<string, number> = {};
  for (const line of lines.slice(start + 1)) {
    const match = /^ {2}(\S+)\s+(\d+)$/.exec(line);
    if (!match) break;
    counts[match[1]!] = Number(match[2]);
  }
  return counts;
}

function countsOf(db: Db): Record<string, number> {
  return Object.fromEntries(rowCounts(db).map(({ table, rows }) => [table, rows]));
}

/** Signs in over HTTP as a browser does, and returns its cookie with the session's CSRF token. */
async function signIn(url: string, live: Db, username: string): Promise<{ cookie: string; csrf: string }> {
  const loginPage = await fetch(`${url}/login`);
  const anonymous = /bvte_csrf=([^;]+)/.exec(loginPage.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: `bvte_csrf=${anonymous}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password: TEST_PASSWORD, _csrf: anonymous }),
  });
  const token = /bvte_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  if (response.status !== 303 || !token) throw new Error(`sign-in failed: ${response.status}`);
  const { csrf } = live.$client.prepare('SELECT csrf_token AS csrf FROM sessions WHERE id = ?').get(sessionIdFromToken(token)) as { csrf: string };
  return { cookie: `bvte_session=${token}`, csrf };
}

describe('backup while the app serves writes, and restore', () => {
  const root = path.join(TEST_TMP_DIR, `backup-load-${process.pid}-${randomUUID()}`);
  const liveDir = path.join(root, 'live');
  const restoredDir = path.join(root, 'restored');
  const backupFile = path.join(root, 'bvte-backup.db');
  const servers: Server[] = [];
  let orgs: TestOrgs;
  let apiKey: string;

  beforeAll(async () => {
    fs.mkdirSync(liveDir, { recursive: true });
    fs.copyFileSync(TEMPLATE_DB, path.join(liveDir, 'bvte.db'));
    const db = openDatabase(path.join(liveDir, 'bvte.db'));
    try {
      orgs = seedOrgs(db);
      await seedUser(db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
      ({ key: apiKey } = createApiKey(db, SYSTEM_AUDIT_CONTEXT, { orgId: orgs.hotline, name: 'Tổng đài thử nghiệm', createdBy: null }));
    } finally {
      db.$client.close();
    }
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  // Five real processes each load TypeScript first; on a quiet 2-core machine the whole test takes about 20 s.
  it('restores exactly the moment of the backup, with documents, and the app runs on it', { timeout: 180_000 }, async () => {
    const live = await startServer(liveDir, LIVE_PORT);
    servers.push(live);
    const liveDb = openDatabase(path.join(liveDir, 'bvte.db'), { readonly: true });
    try {
      const postIntake = (n: number): Promise<Response> =>
        fetch(`${live.url}/api/v1/intakes`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: intakeBody(orgs, n),
        });

      // Documents uploaded beforehand through the real form route: a small one and one spanning several backup parts.
      const first = await postIntake(0);
      expect(first.status).toBe(201);
      const caseId = Number(/\/cases\/(\d+)$/.exec(((await first.json()) as { url: string }).url)?.[1]);
      const worker = await signIn(live.url, liveDb, 'canbo.a');
      const uploads = [Buffer.from('%PDF-1.4\n%%EOF\n'), Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(3_000_000)])];
      for (const [index, bytes] of uploads.entries()) {
        const form = new FormData();
        form.append('file', new Blob([bytes], { type: 'application/pdf' }), `Biên bản ${index}.pdf`);
        const response = await fetch(`${live.url}/cases/${caseId}/documents`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: worker.cookie, 'x-csrf-token': worker.csrf },
          body: form,
        });
        expect(response.status).toBe(303);
      }

      // Writers post intakes back to back until told to stop; each 201 is noted with when it arrived.
      const acknowledged: { reference: string; at: number }[] = [];
      const failures: string[] = [];
      let stop = false;
      let sent = 0;
      const writers = Array.from({ length: WRITERS }, async () => {
        while (!stop) {
          const response = await postIntake((sent += 1));
          const body = await response.text();
          if (response.status === 201) acknowledged.push({ reference: (JSON.parse(body) as { reference: string }).reference, at: Date.now() });
          else failures.push(`${response.status} ${body}`);
        }
      });
      while (acknowledged.length < 50 && failures.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));

      // Every intake acknowledged by now was committed before the backup process even started.
      const beforeBackup = acknowledged.map((ack) => ack.reference);
      const backupStarted = Date.now();
      const backup = await bvte(['backup', backupFile, '--data-dir', liveDir]);
      const backupEnded = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 300));
      stop = true;
      await Promise.all(writers);

      expect(failures).toEqual([]);
      expect(backup.stderr).toBe('');
      expect(backup.status).toBe(0);
      expect(backup.stdout).toContain('Integrity check: ok');
      expect(backup.stdout).toContain('Documents in the backup: 2 (2.9 MiB), each matching its SHA-256');
      // The app kept accepting writes while the backup ran.
      expect(acknowledged.filter((ack) => ack.at > backupStarted && ack.at < backupEnded).length).toBeGreaterThan(0);
      expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);

      const restore = await bvte(['restore', backupFile, '--data-dir', restoredDir]);
      expect(restore.stderr).toBe('');
      expect(restore.status).toBe(0);
      expect(restore.stdout).toContain('Integrity check: ok');
      expect(restore.stdout).toContain('Documents restored: 2 (2.9 MiB), each matching its SHA-256');

      const restoredDb = openDatabase(path.join(restoredDir, 'bvte.db'), { readonly: true });
      try {
        // The row counts are those the backup read inside its snapshot, table by table.
        const backupCounts = printedCounts(backup.stdout);
        expect(backupCounts.cases).toBeGreaterThan(beforeBackup.length);
        expect(countsOf(restoredDb)).toEqual(backupCounts);
        expect(printedCounts(restore.stdout)).toEqual(backupCounts);

        // Every intake acknowledged before the backup started is there.
        const references = new Set(restoredDb.$client.prepare('SELECT reference FROM cases').pluck().all() as string[]);
        expect(beforeBackup.filter((reference) => !references.has(reference))).toEqual([]);

        // One moment: writes are serialised, so the snapshot is a prefix of the live history, and the live app went on after it.
        const caseIds = (db: Db): number[] => db.$client.prepare('SELECT id FROM cases ORDER BY id').pluck().all() as number[];
        const restoredCaseIds = caseIds(restoredDb);
        const liveCaseIds = caseIds(liveDb);
        expect(liveCaseIds.length).toBeGreaterThan(restoredCaseIds.length);
        expect(liveCaseIds.slice(0, restoredCaseIds.length)).toEqual(restoredCaseIds);
        const auditRows = (db: Db): { id: number; hash: string }[] => db.$client.prepare('SELECT id, hash FROM audit_log ORDER BY id').all() as never;
        const restoredAudit = auditRows(restoredDb);
        const liveAudit = auditRows(liveDb);
        expect(restoredAudit.length).toBe(backupCounts.audit_log);
        expect(liveAudit.slice(0, restoredAudit.length)).toEqual(restoredAudit);
        expect(liveDb.$client.prepare("SELECT count(*) FROM audit_log WHERE action = 'system.backup' AND id > ?").pluck().get(restoredAudit.length)).toBe(1);

        expect(restoredDb.$client.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);

        // Documents come back byte for byte, private to the owner.
        const stored = restoredDb.$client.prepare('SELECT stored_name AS name, sha256 FROM documents ORDER BY id').all() as { name: string; sha256: string }[];
        expect(stored).toHaveLength(2);
        const restoredDocuments = path.join(restoredDir, 'documents');
        expect(fs.statSync(restoredDocuments).mode & 0o777).toBe(0o700);
        expect(fs.readdirSync(restoredDocuments).sort()).toEqual(stored.map((document) => document.name).sort());
        for (const [index, document] of stored.entries()) {
          const file = path.join(restoredDocuments, document.name);
          const bytes = fs.readFileSync(file);
          expect(bytes.equals(fs.readFileSync(path.join(liveDir, 'documents', document.name)))).toBe(true);
          expect(bytes.equals(uploads[index]!)).toBe(true);
          expect(createHash('sha256').update(bytes).digest('hex')).toBe(document.sha256);
          expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        }
      } finally {
        restoredDb.$client.close();
      }

      // The chain verifies with the data directory given the way the app gets it: DATA_DIR.
      const verify = await bvte(['audit', 'verify'], { DATA_DIR: restoredDir });
      expect(verify.status).toBe(0);
      expect(verify.stdout).toContain(`Audit chain intact: ${printedCounts(backup.stdout).audit_log} entries`);
    } finally {
      liveDb.$client.close();
      await live.stop();
    }

    const restored = await startServer(restoredDir, RESTORED_PORT);
    servers.push(restored);
    const health = await fetch(`${restored.url}/healthz`);
    expect(health.status).toBe(200);
    await restored.stop();
  });
});
