/** results.json, results.md and the README's table: the same figures, written once per run. */
import fs from 'node:fs';
import path from 'node:path';
import { TARGETS, type ScenarioName } from './scenarios.js';

/** One object of bench/results.json; the run-level figures (start, memory, data size) repeat in each. */
export interface ScenarioResult {
  scenario: ScenarioName | 'baseline';
  /** The role signed in as ('api_key' for the intake API). */
  user: string;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  ratio_to_baseline: number;
  /** The app's spawn → first 200 from /healthz. */
  start_ms: number;
  /** The app's peak resident memory (VmHWM) at the end of the run. */
  rss_mb: number;
  cases: number;
  audit_rows: number;
  /** Seconds this run spent seeding the database (target under 180); null when it reused an earlier seed. */
  seed_s: number | null;
  target: string | null;
  meets_target: boolean | null;
  /** The server process's CPU time (all threads) during the measurement ÷ responses. */
  cpu_ms_per_request: number;
  requests: number;
  errors: number;
  error_statuses: Record<string, number>;
  seconds: number;
  connections: number;
}

export interface Machine {
  cpus: number;
  cpu_model: string;
  memory_gb: number;
  node: string;
  date: string;
}

const number = (value: number, digits = 0): string => value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function verdict(result: ScenarioResult): string {
  if (result.meets_target === null) return '';
  return result.meets_target ? 'yes' : '**no**';
}

/** The Markdown table printed at the end, written to results.md and copied into the README. */
export function formatTable(results: readonly ScenarioResult[]): string {
  const lines = [
    '| scenario | user | req/s | p50 ms | p99 ms | share of baseline | CPU ms/req | non-2xx / errors | target | met |',
    '|---|---|--:|--:|--:|--:|--:|--:|---|---|',
    ...results.map((result) =>
      [
        result.scenario,
        result.user,
        number(result.rps),
        number(result.p50_ms, 1),
        number(result.p99_ms, 1),
        `${number(result.ratio_to_baseline * 100, 1)} %`,
        number(result.cpu_ms_per_request, 2),
        result.errors === 0 ? '0' : `**${number(result.errors)}** (${Object.entries(result.error_statuses).map(([status, count]) => `${status}×${count}`).join(', ') || 'connection'})`,
        result.target ?? '',
        verdict(result),
      ].join(' | '),
    ),
  ];
  return lines.map((line) => (line.startsWith('|') ? line : `| ${line} |`)).join('\n');
}

function runLine(results: readonly ScenarioResult[]): string {
  const first = results[0];
  if (!first) return '';
  return (
    `${number(first.cases)} cases, ${number(first.audit_rows)} audit entries, ` +
    `${first.seed_s === null ? 'seeded by an earlier run' : `seeded in ${number(first.seed_s)} s (target < 180 s)`}; app start to first response ${number(first.start_ms)} ms, ` +
    `peak RSS ${number(first.rss_mb)} MiB; ${first.connections} connections, ${first.seconds} s per scenario.`
  );
}

function targetsSection(): string[] {
  return [
    '## Targets (issue 6)',
    '',
    ...Object.entries(TARGETS).map(([scenario, targets]) => `- ${scenario}: ${targets.map((target) => target.text).join('; ')}`),
    '',
    'A scenario with any non-2xx response or connection error, or without a single response, never meets its target: its figures measure the failure.',
  ];
}

function markdown(results: readonly ScenarioResult[], machine: Machine, command: string): string {
  return [
    '# Benchmark results',
    '',
    `\`${command}\` — ${machine.date}`,
    '',
    formatTable(results),
    '',
    runLine(results),
    '',
    ...targetsSection(),
    '',
    '## Machine',
    '',
    `- CPU: ${machine.cpus} × ${machine.cpu_model}`,
    `- memory: ${machine.memory_gb} GiB`,
    `- Node.js ${machine.node}`,
    `- date: ${machine.date}`,
    '',
    'Method: docs/decisions/0015-benchmark-method.md.',
    '',
  ].join('\n');
}

/**
 * Replaces what is between `<!-- name:start -->` and `<!-- name:end -->`; the rest is left alone, since
 * other people edit the README too.
 */
export function replaceMarkedSection(text: string, name: string, body: string): string {
  const startMarker = `<!-- ${name}:start -->`;
  const endMarker = `<!-- ${name}:end -->`;
  const start = text.indexOf(startMarker);
  const end = text.indexOf(endMarker);
  if (start < 0 || end < start) throw new Error(`no ${startMarker} … ${endMarker} markers`);
  return `${text.slice(0, start + startMarker.length)}\n${body}\n${text.slice(end)}`;
}

export function rewriteMarkedSection(file: string, name: string, body: string): void {
  fs.writeFileSync(file, replaceMarkedSection(fs.readFileSync(file, 'utf8'), name, body));
}

export interface ReportTargets {
  /** results.json and results.md go here. */
  dir: string;
  /** The README whose bench section is rewritten; null leaves it alone. */
  readme: string | null;
  command: string;
}

export function writeReports(run: { results: ScenarioResult[]; machine: Machine }, to: ReportTargets): void {
  fs.mkdirSync(to.dir, { recursive: true });
  fs.writeFileSync(path.join(to.dir, 'results.json'), `${JSON.stringify(run.results, null, 2)}\n`);
  fs.writeFileSync(path.join(to.dir, 'results.md'), markdown(run.results, run.machine, to.command));
  if (to.readme) {
    const section = [
      '',
      `Last run: \`${to.command}\` on ${run.machine.cpus} × ${run.machine.cpu_model}, Node.js ${run.machine.node}, ${run.machine.date.slice(0, 10)}.`,
      '',
      formatTable(run.results),
      '',
      runLine(run.results),
      '',
    ].join('\n');
    rewriteMarkedSection(to.readme, 'bench', section);
  }
}
