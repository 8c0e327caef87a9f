import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, runMigrations } from '../src/db/client.js';
import { TEST_TMP_DIR, TEMPLATE_DB } from './paths.js';

/** Migrates one template database per run; each test copies it, which is much faster than migrating. */
export default function setup(): void {
  fs.rmSync(TEST_TMP_DIR, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(TEMPLATE_DB), { recursive: true });
  const db = openDatabase(TEMPLATE_DB);
  runMigrations(db);
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.pragma('journal_mode = DELETE');
  db.$client.close();
}
