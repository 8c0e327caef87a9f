import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from '../../src/db/client.js';
import { TEMPLATE_DB, TEST_TMP_DIR } from '../paths.js';

export interface TestDatabase {
  db: Db;
  dataDir: string;
  file: string;
}

/** A fresh, migrated, real SQLite file: a copy of the template made by the global setup. */
export function freshDatabase(): TestDatabase {
  const dataDir = path.join(TEST_TMP_DIR, `db-${process.pid}-${randomUUID()}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'bvte.db');
  fs.copyFileSync(TEMPLATE_DB, file);
  return { db: openDatabase(file), dataDir, file };
}

export function removeDatabase(test: TestDatabase): void {
  if (test.db.$client.open) test.db.$client.close();
  fs.rmSync(test.dataDir, { recursive: true, force: true });
}
