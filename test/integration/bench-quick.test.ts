import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReports, type ScenarioResult } from '../../bench/report.js';
import { DEFAULT_OPTIONS, runBenchmark, type BenchRun } from '../../bench/run.js';
import { SCENARIO_NAMES } from '../../bench/scenarios.js';
import { databaseFile, openDatabase } from '../../src/db/client.js';
import { TEST_TMP_DIR } from '../paths.js';

const NUMERIC_FIELDS = ['rps', 'p50_ms', 'p99_ms', 'ratio_to_baseline', 'start_ms', 'rss_mb', 'cases', 'audit_rows', 'seed_s', 'cpu_ms_per_request'] as const;

/**
 * The benchmark's whole chain (seed, baseline, app process, sign-in, every scenario, reports) on a
 * tiny database with one-second runs. Timings on a CI machine mean nothing, so only the shape of the
 * results and the absence of failed requests are checked, never a figure.
 */
describe('npm run bench, CI-sized', () => {
  const dir = fs.mkdtempSync(path.join(TEST_TMP_DIR, 'bench-quick-'));
  let run: BenchRun;

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('measures every scenario without a failed request', { timeout: 240_000 }, async () => {
    run = await runBenchmark({
      ...DEFAULT_OPTIONS,
      cases: 2_000,
      dataDir: path.join(dir, 'data'),
      seconds: 1,
      warmupSeconds: 0,
      port: 4105,
      log: () => undefined,
    });
    const results: ScenarioResult[] = run.results;
    expect(results.map((result) => result.scenario)).toEqual(['baseline', ...SCENARIO_NAMES]);
    for (const result of results) {
      for (const field of NUMERIC_FIELDS) expect(Number.isFinite(result[field]), `${result.scenario}.${field}`).toBe(true);
      expect({ scenario: result.scenario, errors: result.errors, statuses: result.error_statuses }).toEqual({ scenario: result.scenario, errors: 0, statuses: {} });
      expect(result.requests, result.scenario).toBeGreaterThan(0);
      expect(result.target === null).toBe(result.scenario === 'baseline');
    }
    expect(results[0]?.cases).toBeGreaterThanOrEqual(2_000);

    // Every intake request carried its own Idempotency-Key: none was answered by replaying another.
    const db = openDatabase(databaseFile(path.join(dir, 'data')), { readonly: true });
    const { keys } = db.$client.prepare('SELECT count(DISTINCT key) AS keys FROM idempotency_keys').get() as { keys: number };
    db.$client.close();
    expect(keys).toBeGreaterThanOrEqual(results.find((result) => result.scenario === 'intake API')?.requests ?? Infinity);
  });

  it('writes results.json and results.md where it is told, not into bench/', () => {
    const out = path.join(dir, 'out');
    const readme = path.join(dir, 'README.md');
    fs.writeFileSync(readme, '# x\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\nafter\n');
    writeReports(run, { dir: out, readme, command: 'npm run bench -- --quick' });
    expect(JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'))).toEqual(run.results);
    expect(fs.readFileSync(path.join(out, 'results.md'), 'utf8')).toContain('| case page |');
    const rewritten = fs.readFileSync(readme, 'utf8');
    expect(rewritten).not.toContain('old');
    expect(rewritten).toContain('| intake API |');
    expect(rewritten).toMatch(/<!-- bench:end -->\n\nafter\n$/);
  });
});
