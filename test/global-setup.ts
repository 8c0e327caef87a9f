import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, runMigrations } from '../src/db/client.js';
import { TEST_ROOT } from './paths.js';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Leftovers of runs that were killed before their teardown. */
function removeStaleRuns(): void {
  if (!fs.existsSync(TEST_ROOT)) return;
  for (const entry of fs.readdirSync(TEST_ROOT)) {
    const pid = Number(/^run-(\d+)$/.exec(entry)?.[1]);
    if (!pid || !isRunning(pid)) fs.rmSync(path.join(TEST_ROOT, entry), { recursive: true, force: true });
  }
}

/** Migrates one template database per run; each test copies it, which is much faster than migrating. */
export default function setup(): () => void {
  removeStaleRuns();
  const runDir = path.join(TEST_ROOT, `run-${process.pid}`);
  fs.mkdirSync(runDir, { recursive: true });
  process.env.BVTE_TEST_RUN_DIR = runDir;
  const db = openDatabase(path.join(runDir, 'template.db'));
  runMigrations(db);
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.pragma('journal_mode = DELETE');
  db.$client.close();
  return () => fs.rmSync(runDir, { recursive: true, force: true });
}
