import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/verify.js';
import { verifyPassword } from '../../src/auth/password.js';
import { createSession, generateSessionToken } from '../../src/auth/session.js';
import { rowCounts } from '../../src/cli/backup.js';
import { openDatabase } from '../../src/db/client.js';
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

  it('backs up the live database and restores it into an empty data directory with the same rows', async () => {
    await seedUser(database.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    const dir = tempDir();
    extraDirs.push(dir);
    const backupFile = path.join(dir, 'bvte-backup.db');
    const restoreDir = path.join(dir, 'restored');

    const backup = bvte(['backup', backupFile, ...dataDir]);
    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);
    expect(backup.stdout).toContain('Integrity check: ok');
    expect(auditActions(database.db).at(-1)?.action).toBe('system.backup');
    expect(bvte(['backup', backupFile, ...dataDir])).toMatchObject({ status: 1, stderr: expect.stringContaining('--force') });

    const restore = bvte(['restore', backupFile, '--data-dir', restoreDir]);
    expect(restore.stderr).toBe('');
    expect(restore.status).toBe(0);
    const copy = openDatabase(backupFile, { readonly: true });
    const restored = openDatabase(path.join(restoreDir, 'bvte.db'), { readonly: true });
    try {
      expect(rowCounts(restored)).toEqual(rowCounts(copy));
      expect(rowCounts(restored).find((count) => count.table === 'users')?.rows).toBe(1);
      expect(verifyAuditChain(restored)).toEqual({ ok: true, entries: auditActions(database.db).length - 1 });
    } finally {
      copy.$client.close();
      restored.$client.close();
    }
    expect(bvte(['restore', backupFile, '--data-dir', restoreDir])).toMatchObject({ status: 1, stderr: expect.stringContaining('already exists') });
  });
});
