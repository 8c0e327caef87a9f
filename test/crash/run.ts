// `npm run test:crash [-- --rounds N --port P --concurrency C --keep-data]`: the full crash-safety run (issue 6).
import { parseArgs } from 'node:util';
import { abandonRuns, formatSummary, runCrashRounds } from './rounds.js';

const USAGE = 'Usage: npm run test:crash -- [--rounds N (20)] [--port P (4120)] [--concurrency C (16)] [--keep-data]';

function positiveInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(value)) throw new Error(`--${name} must be a positive whole number, got "${value}"\n${USAGE}`);
  return Number(value);
}

function write(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      port: { type: 'string' },
      concurrency: { type: 'string' },
      'keep-data': { type: 'boolean' },
    },
  });
  const rounds = positiveInteger(values.rounds, 20, 'rounds');
  const port = positiveInteger(values.port, 4120, 'port');
  const concurrency = positiveInteger(values.concurrency, 16, 'concurrency');
  write(`crash test: ${rounds} round(s) of start → ${concurrency} concurrent intake loops → kill -9 → check, on port ${port}`);
  const report = await runCrashRounds({ rounds, port, concurrency, keepData: values['keep-data'] === true, log: write });
  write(formatSummary(report, rounds));
  return report.ok ? 0 : 1;
}

// Ctrl-C must not leave a server holding the port, nor a data directory in /tmp.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    abandonRuns();
    process.exit(130);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`crash test could not run: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
