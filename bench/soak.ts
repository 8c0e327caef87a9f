/**
 * `npm run soak`: every benchmark scenario at once, together at half the throughput bench/results.json
 * measured, for ten minutes, sampling the app's memory every 10 s. The app passes if its RSS at the end
 * is within 10 % of its RSS after the warm-up (issue 6). Not part of CI.
 *
 *   npm run soak -- [--minutes 10] [--reuse bench/data/national/bvte.db] [--cases N]
 *
 * Writes bench/soak.json, bench/soak.md and the README's soak line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setInterval as every } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { databaseFile } from '../src/db/client.js';
import { prepareDatabase, statisticsCaughtUp } from './database.js';
import { load, type LoadFigures } from './load.js';
import { rewriteMarkedSection, type ScenarioResult } from './report.js';
import { APP_ENTRY, appEnvironment, DEFAULT_OPTIONS } from './run.js';
import { buildScenarios, readScenarioData, type ScenarioName } from './scenarios.js';
import { startServer } from './server-process.js';
import { signInScenarioUsers } from './session.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const README = path.join(path.dirname(BENCH_DIR), 'README.md');
const SAMPLE_SECONDS = 10;
const SHARE_OF_CAPACITY = 0.5;
const ALLOWED_GROWTH = 0.1;
const CONNECTIONS_PER_SCENARIO = 2;
const PORT = DEFAULT_OPTIONS.port + 2;

interface Sample {
  t_s: number;
  rss_mb: number;
}

/**
 * Each scenario's rate: its measured throughput × ½ ÷ the number of scenarios, so that the mix, all
 * running at once and sharing the app's two cores, asks for half of what the app can serve.
 */
function ratesFrom(results: readonly ScenarioResult[]): Map<ScenarioName, number> {
  const scenarios = results.filter((result): result is ScenarioResult & { scenario: ScenarioName } => result.scenario !== 'baseline');
  if (scenarios.length === 0) throw new Error('bench/results.json has no scenarios: run `npm run bench` first');
  return new Map(scenarios.map((result) => [result.scenario, Math.max(1, Math.round((result.rps * SHARE_OF_CAPACITY) / scenarios.length))]));
}

const round = (value: number): number => Number(value.toFixed(1));

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { values } = parseArgs({
    args: argv,
    options: { minutes: { type: 'string', default: '10' }, reuse: { type: 'string' }, cases: { type: 'string' } },
  });
  const minutes = Number(values.minutes);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error(`--minutes must be a positive number, got "${values.minutes}"`);
  const seconds = Math.round(minutes * 60);
  // The memory a warmed-up app settles at: a minute, or a fifth of a shorter run.
  const warmupSeconds = Math.min(60, Math.round(seconds / 5));

  const results = JSON.parse(fs.readFileSync(path.join(BENCH_DIR, 'results.json'), 'utf8')) as ScenarioResult[];
  const rates = ratesFrom(results);
  const database = await prepareDatabase({
    cases: values.cases === undefined ? (results[0]?.cases ?? DEFAULT_OPTIONS.cases) : Number(values.cases),
    // By default the benchmark's seeded file: seeding a million cases again would take minutes.
    reuse: values.reuse ?? databaseFile(DEFAULT_OPTIONS.dataDir),
    dataDir: DEFAULT_OPTIONS.dataDir,
    log: (line) => console.error(line),
  });
  const data = readScenarioData(database.seed);
  const app = await startServer(APP_ENTRY, PORT, appEnvironment(database.dataDir, PORT));
  const samples: Sample[] = [];
  let peakMb: number;
  let figures: { scenario: ScenarioName; rate: number; load: LoadFigures }[];
  try {
    await statisticsCaughtUp(database.seed.file, (line) => console.error(line));
    const cookies = await signInScenarioUsers(app.baseUrl, database.seed);
    const scenarios = buildScenarios(database.seed, data, cookies).filter((scenario) => rates.has(scenario.name));
    console.error(`Soak: ${minutes} min, ${scenarios.map((scenario) => `${scenario.name} ${rates.get(scenario.name)}/s`).join(', ')}`);
    const started = Date.now();
    const sampling = new AbortController();
    const sampler = (async (): Promise<void> => {
      samples.push({ t_s: 0, rss_mb: round(app.rssMb()) });
      try {
        for await (const _tick of every(SAMPLE_SECONDS * 1000, null, { signal: sampling.signal })) {
          samples.push({ t_s: Math.round((Date.now() - started) / 1000), rss_mb: round(app.rssMb()) });
          console.error(`  ${samples.at(-1)?.t_s} s: RSS ${samples.at(-1)?.rss_mb} MiB`);
        }
      } catch (error) {
        if (!sampling.signal.aborted) throw error;
      }
    })();
    figures = await Promise.all(
      scenarios.map(async (scenario) => {
        const rate = rates.get(scenario.name) ?? 1;
        return { scenario: scenario.name, rate, load: await load(app.baseUrl, scenario, { connections: CONNECTIONS_PER_SCENARIO, seconds, overallRate: rate }) };
      }),
    );
    samples.push({ t_s: Math.round((Date.now() - started) / 1000), rss_mb: round(app.rssMb()) });
    sampling.abort();
    await sampler;
    peakMb = app.peakRssMb();
  } finally {
    await app.stop();
  }

  const afterWarmup = samples.find((sample) => sample.t_s >= warmupSeconds) ?? samples[0];
  const end = samples.at(-1);
  if (!afterWarmup || !end) throw new Error('no memory samples');
  const growth = end.rss_mb / afterWarmup.rss_mb - 1;
  const errors = figures.reduce((sum, figure) => sum + figure.load.errors, 0);
  const report = {
    date: new Date().toISOString(),
    minutes,
    cases: database.cases,
    audit_rows: database.auditRows,
    warmup_s: warmupSeconds,
    rss_after_warmup_mb: afterWarmup.rss_mb,
    rss_end_mb: end.rss_mb,
    rss_peak_mb: round(peakMb),
    growth: Number(growth.toFixed(3)),
    within_10_percent: growth <= ALLOWED_GROWTH,
    errors,
    scenarios: figures.map((figure) => ({ scenario: figure.scenario, target_rps: figure.rate, ...figure.load })),
    samples,
  };
  fs.writeFileSync(path.join(BENCH_DIR, 'soak.json'), `${JSON.stringify(report, null, 2)}\n`);
  const summary =
    `RSS ${report.rss_after_warmup_mb} MiB after ${warmupSeconds} s warm-up, ${report.rss_end_mb} MiB after ${minutes} min ` +
    `(${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %; limit +10 %: ${report.within_10_percent ? 'met' : 'NOT met'}), ` +
    `peak ${report.rss_peak_mb} MiB; ${errors} non-2xx responses or errors.`;
  fs.writeFileSync(
    path.join(BENCH_DIR, 'soak.md'),
    [
      '# Soak',
      '',
      `\`${['npm run soak', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ')}\` — ${report.date}; ${report.cases.toLocaleString('en')} cases.`,
      '',
      summary,
      '',
      '| scenario | asked req/s | served req/s | p50 ms | p99 ms | non-2xx / errors |',
      '|---|--:|--:|--:|--:|--:|',
      ...report.scenarios.map((row) => `| ${row.scenario} | ${row.target_rps} | ${row.rps} | ${row.p50_ms} | ${row.p99_ms} | ${row.errors} |`),
      '',
      '| seconds | RSS MiB |',
      '|--:|--:|',
      ...samples.map((sample) => `| ${sample.t_s} | ${sample.rss_mb} |`),
      '',
    ].join('\n'),
  );
  rewriteMarkedSection(README, 'soak', `Last soak (${report.date.slice(0, 10)}, ${minutes} min): ${summary}`);
  console.log(summary);
  if (!report.within_10_percent || errors > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
