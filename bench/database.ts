/**
 * The seeded database a benchmark or soak runs against: seeded afresh, or reused with --reuse. Seeding
 * a million cases takes minutes, so what the seeder returns (accounts, API key, search terms) is kept
 * beside the file and read back on reuse.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseFile, openDatabase } from '../src/db/client.js';
import type { BenchSeed } from './scenarios.js';
import { seedNationalDatabase } from './seed/index.js';

export interface SeededDatabase {
  seed: BenchSeed;
  /** The app's DATA_DIR: the seeded file is its bvte.db. */
  dataDir: string;
  cases: number;
  auditRows: number;
  /** How long this run's seeding took; null when an earlier run's file was reused. */
  seedSeconds: number | null;
}

function sidecarOf(file: string): string {
  return path.join(path.dirname(file), 'bench-seed.json');
}

/** Counted when the run starts: a reused file has grown by the audit entries and intakes of earlier runs. */
function countRows(file: string): { cases: number; auditRows: number } {
  const db = openDatabase(file, { readonly: true });
  try {
    const count = (table: 'cases' | 'audit_log'): number => (db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { cases: count('cases'), auditRows: count('audit_log') };
  } finally {
    db.$client.close();
  }
}

export interface PrepareOptions {
  cases: number;
  /** A file seeded by an earlier run to reuse; when it does not exist yet, it is seeded there. */
  reuse: string | null;
  /** Where a fresh seed goes when not reusing. */
  dataDir: string;
  log(line: string): void;
}

export async function prepareDatabase(options: PrepareOptions): Promise<SeededDatabase> {
  const file = path.resolve(options.reuse ?? databaseFile(options.dataDir));
  // The app opens DATA_DIR/bvte.db, so the seeded file must carry that name.
  if (path.basename(file) !== path.basename(databaseFile('.'))) throw new Error(`${file}: the seeded file must be named ${path.basename(databaseFile('.'))}`);
  const sidecar = sidecarOf(file);
  let seed: BenchSeed;
  let seedSeconds: number | null = null;
  if (options.reuse && fs.existsSync(file)) {
    // The API key is stored hashed, so a file seeded elsewhere cannot be used; it is never deleted either.
    if (!fs.existsSync(sidecar)) throw new Error(`${file} was not seeded by the benchmark (no ${sidecar}); give --reuse a new path to seed there`);
    options.log(`Reusing ${file}`);
    seed = JSON.parse(fs.readFileSync(sidecar, 'utf8')) as BenchSeed;
  } else {
    // The seeder starts from an empty file itself; a sidecar left from an earlier seed must not outlive a failed one.
    fs.rmSync(sidecar, { force: true });
    options.log(`Seeding ${options.cases.toLocaleString('en')} cases into ${file}`);
    const seeded = await seedNationalDatabase(file, { cases: options.cases, onProgress: (phase) => options.log(`  seed: ${phase}`) });
    options.log(`Seeded in ${seeded.seconds.toFixed(1)} s`);
    seedSeconds = seeded.seconds;
    seed = { file, password: seeded.password, users: seeded.users, apiKey: seeded.apiKey, searchTerms: seeded.searchTerms };
    fs.writeFileSync(sidecar, `${JSON.stringify(seed, null, 2)}\n`);
  }
  return { seed: { ...seed, file }, dataDir: path.dirname(file), ...countRows(file), seedSeconds };
}

const REFRESH_TIMEOUT_MS = 10 * 60_000;

/**
 * Waits until the running app's statistics refresher has emptied its queue. A reused file holds the
 * intakes of the previous run's last scenario, still queued; counting them in the background would
 * otherwise slow the first scenarios of this run.
 */
export async function statisticsCaughtUp(file: string, log: (line: string) => void): Promise<void> {
  const db = openDatabase(file, { readonly: true });
  try {
    const queued = (): number => (db.$client.prepare('SELECT count(*) AS n FROM stats_dirty').get() as { n: number }).n;
    const started = Date.now();
    let shown = 0;
    for (let left = queued(); left > 0; left = queued()) {
      if (Date.now() - started > REFRESH_TIMEOUT_MS) throw new Error(`the statistics refresher still has ${left} rows queued after ${REFRESH_TIMEOUT_MS / 60_000} min`);
      if (Date.now() - shown > 10_000) {
        log(`  waiting for the statistics refresher: ${left} changes queued`);
        shown = Date.now();
      }
      await sleep(500);
    }
  } finally {
    db.$client.close();
  }
}
