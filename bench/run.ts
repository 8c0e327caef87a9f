/**
 * `npm run bench`: seeds (or reuses) a national-scale database, then measures with autocannon over
 * loopback, one scenario at a time at 10 connections: a bare Fastify hello-world as the machine's
 * baseline, then the real app in its own process (docs/decisions/0015-benchmark-method.md).
 *
 *   npm run bench -- [--cases N] [--reuse bench/data/national/bvte.db] [--duration S] [--quick]
 *                    [--scenario NAME]... [--profile DIR]
 *
 * Writes bench/results.json, bench/results.md and the README's benchmark table, unless the run is
 * partial (--scenario) or profiled (--profile: the app runs under `node --cpu-prof`, its profile
 * written into DIR when it stops), whose figures are not the benchmark's.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { prepareDatabase, statisticsCaughtUp } from './database.js';
import { load, type LoadFigures } from './load.js';
import { formatTable, writeReports, type Machine, type ScenarioResult } from './report.js';
import { buildScenarios, readScenarioData, SCENARIO_NAMES, SCENARIO_USERS, TARGETS, type RequestPattern, type ScenarioName } from './scenarios.js';
import { startServer, type ServerProcess } from './server-process.js';
import { signInScenarioUsers } from './session.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH_DIR);
export const APP_ENTRY = path.join(ROOT, 'src', 'server.ts');

export interface BenchOptions {
  cases: number;
  reuse: string | null;
  /** Where a fresh seed goes (ignored with reuse). */
  dataDir: string;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  /** The baseline listens here, the app on the next port. */
  port: number;
  /** Only these scenarios (all when null). */
  scenarios: ScenarioName[] | null;
  /** Where the app's CPU profile goes (none when null). */
  profileDir: string | null;
  log(line: string): void;
}

export interface BenchRun {
  results: ScenarioResult[];
  machine: Machine;
}

const HELLO_WORLD: RequestPattern = { method: 'GET', headers: {}, setupRequest: (request) => ({ ...request, path: '/' }) };

export const DEFAULT_OPTIONS: Omit<BenchOptions, 'log'> = {
  cases: 1_000_000,
  reuse: null,
  dataDir: path.join(BENCH_DIR, 'data', 'national'),
  seconds: 10,
  warmupSeconds: 3,
  connections: 10,
  port: 4100,
  scenarios: null,
  profileDir: null,
};

/** --quick: a small seed and short runs, to check the whole chain in a few minutes; its figures mean little. */
const QUICK = { cases: 20_000, seconds: 3, warmupSeconds: 1 };

/** The app as it runs in production (template cache on), over plain HTTP on loopback. */
export function appEnvironment(dataDir: string, port: number): Record<string, string> {
  return {
    NODE_ENV: 'production',
    SECURE_COOKIES: 'false',
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
}

function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpu_model: cpus[0]?.model.trim() ?? 'unknown',
    memory_gb: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    date: new Date().toISOString(),
  };
}

/**
 * One request alone before the warm-up: a view's first request after start-up fills caches (the
 * statistics counters of a national view take seconds), and ten connections waiting on it would
 * spend a short warm-up without a single answer.
 */
async function prime(server: ServerProcess, scenario: RequestPattern, log: (line: string) => void): Promise<void> {
  const request = scenario.setupRequest({});
  const response = await fetch(`${server.baseUrl}${request.path ?? '/'}`, {
    method: scenario.method,
    headers: { ...scenario.headers, ...(request.headers as Record<string, string> | undefined) },
    ...(request.body === undefined ? {} : { body: String(request.body) }),
  });
  await response.arrayBuffer();
  if (response.status >= 300) log(`    first request answered ${response.status}`);
}

/** A scenario's figures, plus the server's CPU time per response: unlike throughput, that hardly moves when other processes load the machine. */
type Measured = LoadFigures & { cpu_ms_per_request: number };

async function measured(server: ServerProcess, options: BenchOptions, scenario: RequestPattern): Promise<Measured> {
  await prime(server, scenario, options.log);
  if (options.warmupSeconds > 0) await load(server.baseUrl, scenario, { connections: options.connections, seconds: options.warmupSeconds });
  const cpuBefore = server.cpuMs();
  const figures = await load(server.baseUrl, scenario, { connections: options.connections, seconds: options.seconds });
  const cpu = server.cpuMs() - cpuBefore;
  return { ...figures, cpu_ms_per_request: figures.requests === 0 ? 0 : Number((cpu / figures.requests).toFixed(2)) };
}

/** Figures taken while requests failed, or without a single answer, measure the failure rather than the app. */
export function failed(figures: Pick<LoadFigures, 'errors' | 'requests'>): boolean {
  return figures.errors > 0 || figures.requests === 0;
}

/** One full run; the caller decides where the results go (the CLI writes bench/, the CI test a temp dir). */
export async function runBenchmark(options: BenchOptions): Promise<BenchRun> {
  const database = await prepareDatabase(options);
  const data = readScenarioData(database.seed);

  options.log('Baseline: bare Fastify hello-world');
  const baselineServer = await startServer(path.join(BENCH_DIR, 'baseline.ts'), options.port, {});
  let baseline: Measured;
  try {
    baseline = await measured(baselineServer, options, HELLO_WORLD);
  } finally {
    await baselineServer.stop();
  }

  options.log(`App: ${database.cases.toLocaleString('en')} cases, ${database.auditRows.toLocaleString('en')} audit entries`);
  const profiling = options.profileDir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', options.profileDir];
  const app = await startServer(APP_ENTRY, options.port + 1, appEnvironment(database.dataDir, options.port + 1), profiling);
  const figures: { name: ScenarioName; user: string; load: Measured }[] = [];
  let rssMb: number;
  try {
    await statisticsCaughtUp(database.seed.file, options.log);
    const cookies = await signInScenarioUsers(app.baseUrl, database.seed);
    const chosen = buildScenarios(database.seed, data, cookies).filter((scenario) => options.scenarios?.includes(scenario.name) ?? true);
    for (const scenario of chosen) {
      options.log(`  ${scenario.name}`);
      const role = SCENARIO_USERS[scenario.name];
      figures.push({ name: scenario.name, user: role ?? 'api_key', load: await measured(app, options, scenario) });
    }
    rssMb = app.peakRssMb();
  } finally {
    await app.stop();
  }

  const runLevel = {
    start_ms: Math.round(app.startMs),
    rss_mb: Math.round(rssMb),
    cases: database.cases,
    audit_rows: database.auditRows,
    seed_s: database.seedSeconds === null ? null : Math.round(database.seedSeconds),
  };
  const row = (name: ScenarioResult['scenario'], user: string, load: Measured): ScenarioResult => {
    const ratio = Number((load.rps / baseline.rps).toFixed(3));
    const targets = name === 'baseline' ? [] : TARGETS[name];
    const value = { ...load, ratio_to_baseline: ratio };
    const met = targets.every((target) => (target.kind === 'min' ? value[target.metric] >= target.limit : value[target.metric] < target.limit));
    return {
      scenario: name,
      user,
      rps: load.rps,
      p50_ms: load.p50_ms,
      p99_ms: load.p99_ms,
      ratio_to_baseline: ratio,
      ...runLevel,
      target: targets.length === 0 ? null : targets.map((target) => target.text).join('; '),
      meets_target: targets.length === 0 ? null : met && !failed(load),
      cpu_ms_per_request: load.cpu_ms_per_request,
      requests: load.requests,
      errors: load.errors,
      error_statuses: load.error_statuses,
      seconds: options.seconds,
      connections: options.connections,
    };
  };
  return {
    results: [row('baseline', '-', baseline), ...figures.map((figure) => row(figure.name, figure.user, figure.load))],
    machine: machine(),
  };
}

function cliOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      cases: { type: 'string' },
      reuse: { type: 'string' },
      duration: { type: 'string' },
      quick: { type: 'boolean', default: false },
      scenario: { type: 'string', multiple: true },
      profile: { type: 'string' },
    },
  });
  const unknown = values.scenario?.filter((name) => !(SCENARIO_NAMES as string[]).includes(name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; the scenarios are ${SCENARIO_NAMES.join(', ')}`);
  const base = values.quick ? { ...DEFAULT_OPTIONS, ...QUICK } : DEFAULT_OPTIONS;
  const positive = (raw: string | undefined, name: string, fallback: number): number => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
    return value;
  };
  return {
    ...base,
    cases: Math.round(positive(values.cases, 'cases', base.cases)),
    seconds: positive(values.duration, 'duration', base.seconds),
    reuse: values.reuse ?? null,
    dataDir: values.quick ? path.join(BENCH_DIR, 'data', 'quick') : base.dataDir,
    scenarios: (values.scenario as ScenarioName[] | undefined) ?? null,
    profileDir: values.profile === undefined ? null : path.resolve(values.profile),
    log: (line) => console.error(line),
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = cliOptions(argv);
  const run = await runBenchmark(options);
  const command = ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
  if (options.scenarios === null && options.profileDir === null) writeReports(run, { dir: BENCH_DIR, readme: path.join(ROOT, 'README.md'), command });
  else console.error('A partial or profiled run: bench/results.json, bench/results.md and the README are left as they were.');
  console.log(formatTable(run.results));
  const failures = run.results.filter(failed);
  if (failures.length > 0) {
    console.error(`\nFAILED: ${failures.map((result) => `${result.scenario}: ${result.errors} non-2xx or errors of ${result.requests} responses`).join('; ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
}
