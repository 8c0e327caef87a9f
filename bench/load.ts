import autocannon, { type Options, type Result } from 'autocannon';
import type { RequestPattern } from './scenarios.js';

/** What one autocannon run gave, in the units results.json uses. */
export interface LoadFigures {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  /** Non-2xx responses, plus connection errors and timeouts: a scenario with any is a failed measurement. */
  errors: number;
  /** Status code → count for the non-2xx responses, so a failure says what it was. */
  error_statuses: Record<string, number>;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  /** Requests per second over all connections (the soak); unlimited when absent (the benchmark). */
  overallRate?: number;
}

function run(options: Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error: unknown, result: Result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result)));
  });
}

function errorStatuses(result: Result): Record<string, number> {
  return Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {})
      .filter(([status]) => !status.startsWith('2'))
      .map(([status, stats]) => [status, stats.count ?? 0]),
  );
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** Drives one scenario against baseUrl; every request goes through its setupRequest for a fresh path or body. */
export async function load(baseUrl: string, scenario: RequestPattern, options: LoadOptions): Promise<LoadFigures> {
  const result = await run({
    url: baseUrl,
    connections: options.connections,
    duration: options.seconds,
    method: scenario.method,
    headers: scenario.headers,
    requests: [{ setupRequest: scenario.setupRequest }],
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
  });
  return {
    rps: round(result.requests.average, 1),
    p50_ms: round(result.latency.p50, 2),
    p99_ms: round(result.latency.p99, 2),
    requests: result.requests.total,
    errors: result.non2xx + result.errors,
    error_statuses: errorStatuses(result),
  };
}
