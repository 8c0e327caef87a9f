import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { verifyAuditChain } from '../../src/audit/verify.js';
import { verifyPassword } from '../../src/auth/password.js';
import { createSession, generateSessionToken } from '../../src/auth/session.js';
import { storeUpload } from '../../src/casework/documents/storage.js';
import { documents } from '../../src/casework/schema.js';
import { rowCounts } from '../../src/cli/backup.js';
import { openDatabase, writeTransaction } from '../../src/db/client.js';
import { createIntake } from '../../src/intake/service.js';
import { activeAssignments, findUserByUsername } from '../../src/users/repository.js';
import { auditActions, seedOrgs, seedUser, type TestOrgs } from '../helpers/app.js';
import { freshDatabase, removeDatabase, type TestDatabase } from '../helpers/db.js';
import { TEST_TMP_DIR } from '../paths.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real executable, as an operator would, against the test's data directory. */
function bvte(args: string[], input?: string): CliResult {
  const result = spawnSync(process.execPath, ['bin/bvte.js', ...args], {
    cwd: REPO_ROOT,
    input,
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: undefined },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempDir(): string {
  const dir = path.join(TEST_TMP_DIR, `cli-${process.pid}-${randomUUID()}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

// Every case starts real processes (about a second each to load TypeScript), so they get more time.
describe('bvte command line', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let orgs: TestOrgs;
  let dataDir: string[];
  const extraDirs: string[] = [];
  beforeEach(() => {
    database = freshDatabase();
    orgs = seedOrgs(database.db);
    dataDir = ['--data-dir', database.dataDir];
  });
  afterEach(() => {
    removeDatabase(database);
    for (const dir of extraDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists every command in --help, and answers an unknown command with usage and exit code 2', () => {
    const help = bvte(['--help']);
    expect(help.status).toBe(0);
    for (const command of ['migrate', 'user add', 'user disable', 'user enable', 'user list', 'org list', 'audit verify', 'backup', 'restore']) {
      expect(help.stdout).toContain(`bvte ${command}`);
    }
    expect(help.stdout).toContain('--data-dir DIR');
    const unknown = bvte(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown command: frobnicate');
    expect(unknown.stderr).toContain('Usage: bvte');
  });

  it('migrates a new data directory, then reports it current', () => {
    const dir = tempDir();
    extraDirs.push(dir);
    const first = bvte(['migrate', '--data-dir', dir]);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration/);
    const second = bvte(['migrate', '--data-dir', dir]);
    expect(second.stdout).toContain('nothing to apply');
  });

  it('adds a user with a role, with a password from stdin, audited as the CLI', async () => {
    const args = ['--name', 'Nguyễn Văn Xã', '--role', 'commune_worker', '--org', String(orgs.communeA), '--password-stdin', ...dataDir];
    const result = bvte(['user', 'add', 'CanBoXa', ...args], 'một câu mật khẩu đủ dài\n');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const user = findUserByUsername(database.db, 'canboxa');
    expect(user?.displayName).toBe('Nguyễn Văn Xã');
    const assignments = activeAssignments(database.db, user!.id).map(({ role, orgId }) => ({ role, orgId }));
    expect(assignments).toEqual([{ role: 'commune_worker', orgId: orgs.communeA }]);
    expect(await verifyPassword(user!.passwordHash, 'một câu mật khẩu đủ dài')).toBe(true);
    const entry = database.db.$client.prepare('SELECT action, actor_role, actor_user_id FROM audit_log ORDER BY id DESC LIMIT 1').get();
    expect(entry).toEqual({ action: 'user.create', actor_role: 'cli', actor_user_id: null });
    expect(bvte(['user', 'list', ...dataDir]).stdout).toMatch(/canboxa\s+Nguyễn Văn Xã\s+commune_worker\s+active/);
  });

  it('generates and prints a password when none is given', async () => {
    const result = bvte(['user', 'add', 'giaovien', '--name', 'Trần Thị Giáo', '--role', 'teacher', '--org', String(orgs.schoolA), ...dataDir]);
    expect(result.status).toBe(0);
    const password = /shown only this once: (\S+)/.exec(result.stdout)?.[1] ?? '';
    expect(await verifyPassword(findUserByUsername(database.db, 'giaovien')!.passwordHash, password)).toBe(true);
  });

  it('refuses a weak password, an unknown role, a missing organisation and a taken username', () => {
    const add = (username: string, role: string, org: number, input?: string): CliResult => {
      const password = input ? ['--password-stdin'] : [];
      return bvte(['user', 'add', username, '--name', 'Tên Thử', '--role', role, '--org', String(org), ...password, ...dataDir], input);
    };
    const weak = add('nguoimoi', 'teacher', orgs.schoolA, 'short\n');
    expect(weak).toMatchObject({ status: 1, stderr: expect.stringContaining('at least 10 characters') });
    expect(add('nguoimoi', 'wizard', orgs.schoolA)).toMatchObject({ status: 2, stderr: expect.stringContaining('--role must be one of') });
    expect(add('nguoimoi', 'teacher', 9999)).toMatchObject({ status: 1, stderr: expect.stringContaining('no organisation with id 9999') });
    expect(add('nguoimoi', 'teacher', orgs.schoolA).status).toBe(0);
    expect(add('NguoiMoi', 'teacher', orgs.schoolA)).toMatchObject({ status: 1, stderr: expect.stringContaining('already taken') });
  });

  it('disables a user and ends their sessions, and enables them again', async () => {
    const userId = await seedUser(database.db, 'bgh', [{ role: 'school_lead', orgId: orgs.schoolA }]);
    const policy = { idleMs: 60_000, absoluteMs: 3_600_000 };
    createSession(database.db, generateSessionToken(), userId, null, policy);
    createSession(database.db, generateSessionToken(), userId, null, policy);
    const sessions = database.db.$client.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?');

    expect(bvte(['user', 'disable', 'bgh', ...dataDir]).status).toBe(0);
    expect(sessions.get(userId)).toEqual({ n: 0 });
    expect(findUserByUsername(database.db, 'bgh')?.disabledAt).not.toBeNull();
    expect(auditActions(database.db).at(-1)).toMatchObject({ action: 'user.disable', entity_id: String(userId) });

    expect(bvte(['user', 'enable', 'bgh', ...dataDir])).toMatchObject({ status: 0, stderr: '' });
    expect(findUserByUsername(database.db, 'bgh')?.disabledAt).toBeNull();
    expect(bvte(['user', 'disable', 'nobody', ...dataDir])).toMatchObject({ status: 1, stderr: expect.stringContaining('No user "nobody"') });
  });

  it('prints the organisation tree with ids', () => {
    const result = bvte(['org', 'list', ...dataDir]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`[${orgs.province}] Tỉnh Thử Nghiệm (province)`);
    expect(result.stdout).toContain(`        [${orgs.schoolA}] Trường Tiểu học An Bình (school)`);
  });

  it('verifies an intact audit chain, and names the entry that was altered', () => {
    const entries = auditActions(database.db).length;
    const good = bvte(['audit', 'verify', ...dataDir]);
    expect(good.status).toBe(0);
    expect(good.stdout).toContain(`Audit chain intact: ${entries} entries`);

    database.db.$client.exec('DROP TRIGGER audit_log_no_update');
    database.db.$client.prepare("UPDATE audit_log SET action = 'org.rename' WHERE id = 3").run();
    const tampered = bvte(['audit', 'verify', ...dataDir]);
    expect(tampered.status).toBe(1);
    expect(tampered.stdout).toContain('Audit chain BROKEN at entry 3: hash_mismatch');
  });

  let userId: number;
  /** A small PDF, and one of several MiB, so that a document spans more than one part of the backup. */
  const SMALL_PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n', 'latin1');
  const LARGE_PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(2_500_000)]);

  /** A document uploaded to a new case, stored by the app's own storage code; returns its row. */
  async function addDocument(data: Buffer): Promise<{ id: number; caseId: number; storedName: string }> {
    const opened = writeTransaction(database.db, (tx) =>
      createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
        channel: 'hotline',
        medium: 'phone',
        receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
        sourceOrgId: orgs.hotline,
        child: { name: 'Phạm Văn Nam', birthDate: '2014-05-05', sex: 'male' },
        residenceOrgId: orgs.communeA,
        description: 'Cháu có vết thương ở lưng.',
        immediateDanger: false,
        categories: ['abuse_violence_physical'],
        reporter: { consented: false },
      }),
    );
    const caseId = opened!.caseId;
    const stored = await storeUpload(database.dataDir, Readable.from([data]));
    const values = { caseId, storedName: stored.storedName, originalName: 'Biên bản.pdf', mimeType: 'application/pdf', size: stored.size, sha256: stored.sha256, uploadedBy: userId };
    const { id } = database.db.insert(documents).values(values).returning({ id: documents.id }).get();
    return { id, caseId, storedName: stored.storedName };
  }

  it('backs up the live database with its documents and restores both into an empty data directory', async () => {
    userId = await seedUser(database.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    const small = await addDocument(SMALL_PDF);
    const large = await addDocument(LARGE_PDF);
    const dir = tempDir();
    extraDirs.push(dir);
    const backupFile = path.join(dir, 'bvte-backup.db');
    const restoreDir = path.join(dir, 'restored');

    const backup = bvte(['backup', backupFile, ...dataDir]);
    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);
    expect(backup.stdout).toContain('Integrity check: ok');
    expect(backup.stdout).toContain('Documents in the backup: 2 (2.4 MiB), each matching its SHA-256');
    expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['bvte-backup.db']);
    expect(auditActions(database.db).at(-1)?.action).toBe('system.backup');
    expect(bvte(['backup', backupFile, ...dataDir])).toMatchObject({ status: 1, stderr: expect.stringContaining('--force') });

    const restore = bvte(['restore', backupFile, '--data-dir', restoreDir]);
    expect(restore.stderr).toBe('');
    expect(restore.status).toBe(0);
    expect(restore.stdout).toContain('Documents restored: 2 (2.4 MiB), each matching its SHA-256');
    const copy = openDatabase(backupFile, { readonly: true });
    const restored = openDatabase(path.join(restoreDir, 'bvte.db'), { readonly: true });
    try {
      expect(rowCounts(restored)).toEqual(rowCounts(copy));
      expect(rowCounts(restored).find((count) => count.table === 'users')?.rows).toBe(1);
      expect(rowCounts(restored).find((count) => count.table === 'documents')?.rows).toBe(2);
      expect(verifyAuditChain(restored)).toEqual({ ok: true, entries: auditActions(database.db).length - 1 });
      // The backup's own tables are gone from the restored database.
      expect(restored.$client.prepare("SELECT name FROM sqlite_schema WHERE name LIKE 'backup%'").all()).toEqual([]);
    } finally {
      copy.$client.close();
      restored.$client.close();
    }
    const restoredDocuments = path.join(restoreDir, 'documents');
    expect(fs.statSync(restoredDocuments).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(restoredDocuments).sort()).toEqual([small.storedName, large.storedName].sort());
    for (const [document, bytes] of [[small, SMALL_PDF], [large, LARGE_PDF]] as const) {
      const file = path.join(restoredDocuments, document.storedName);
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    }
    expect(bvte(['restore', backupFile, '--data-dir', restoreDir])).toMatchObject({ status: 1, stderr: expect.stringContaining('is not empty') });
  });

  it('names documents missing or damaged at backup time, keeps the rest, and fails so nobody takes the backup for whole', async () => {
    userId = await seedUser(database.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    const kept = await addDocument(SMALL_PDF);
    const missing = await addDocument(SMALL_PDF);
    const damaged = await addDocument(LARGE_PDF);
    fs.rmSync(path.join(database.dataDir, 'documents', missing.storedName));
    const damagedFile = path.join(database.dataDir, 'documents', damaged.storedName);
    const altered = Buffer.from(LARGE_PDF);
    altered[2_000_000] = (altered[2_000_000]! + 1) % 256;
    fs.writeFileSync(damagedFile, altered);
    const dir = tempDir();
    extraDirs.push(dir);
    const backupFile = path.join(dir, 'bvte-backup.db');

    const backup = bvte(['backup', backupFile, ...dataDir]);
    expect(backup.status).toBe(1);
    expect(backup.stdout).toContain('Documents in the backup: 1 (0.0 MiB)');
    expect(backup.stdout).toContain(`NOT in the backup: document ${missing.id} of case ${missing.caseId}: file missing from the documents directory`);
    expect(backup.stdout).toContain(`NOT in the backup: document ${damaged.id} of case ${damaged.caseId}: file content does not match its recorded SHA-256`);
    expect(backup.stdout).toContain('WARNING: the documents above are missing or damaged');

    const restoreDir = path.join(dir, 'restored');
    const restore = bvte(['restore', backupFile, '--data-dir', restoreDir]);
    expect(restore.status).toBe(1);
    expect(restore.stdout).toContain('Documents restored: 1');
    expect(restore.stdout).toContain(`NOT restored: document ${missing.id} of case ${missing.caseId}: file missing from the documents directory`);
    expect(fs.readdirSync(path.join(restoreDir, 'documents'))).toEqual([kept.storedName]);
    expect(fs.existsSync(path.join(restoreDir, 'bvte.db'))).toBe(true);
  });

  it('refuses a backup whose document bytes were altered, and leaves no data directory behind', async () => {
    userId = await seedUser(database.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    const document = await addDocument(LARGE_PDF);
    const dir = tempDir();
    extraDirs.push(dir);
    const backupFile = path.join(dir, 'bvte-backup.db');
    expect(bvte(['backup', backupFile, ...dataDir]).status).toBe(0);
    const tampered = new Database(backupFile);
    tampered.prepare('UPDATE backup_document_parts SET bytes = zeroblob(length(bytes)) WHERE part = 1').run();
    tampered.close();

    const restoreDir = path.join(dir, 'restored');
    const restore = bvte(['restore', backupFile, '--data-dir', restoreDir]);
    expect(restore.status).toBe(1);
    expect(restore.stderr).toContain(`The backup is damaged; nothing was restored. document ${document.id} (case ${document.caseId}): its bytes in the backup do not match`);
    expect(fs.existsSync(restoreDir)).toBe(false);

    const notABackup = path.join(dir, 'notes.txt');
    fs.writeFileSync(notABackup, 'not a database at all, just some text that is long enough to be read as a header');
    expect(bvte(['restore', notABackup, '--data-dir', restoreDir])).toMatchObject({ status: 1, stderr: expect.stringContaining('Is it a file written by bvte backup?') });
    expect(fs.existsSync(restoreDir)).toBe(false);
  });
});
