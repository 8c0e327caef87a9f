/**
 * Seeds the national benchmark database and prints how long each phase took.
 *
 *   node --import tsx bench/seed/cli.ts [cases] [--out bench/data/national.db]
 */
import path from 'node:path';
import { seedNationalDatabase } from './index.js';

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

async function main(): Promise<void> {
  const cases = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 1_000_000);
  const out = path.resolve(argument('--out') ?? 'bench/data/national.db');
  const started = Date.now();
  const seed = await seedNationalDatabase(out, {
    cases,
    onProgress: (phase) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${phase}`),
  });
  // CPU seconds beside wall seconds: on a shared machine the wall clock also counts other processes' turns.
  console.log('\nphase                                          wall s    cpu s       rows   rows/cpu s');
  for (const phase of seed.phases) {
    const rate = phase.rows === undefined ? '' : String(Math.round(phase.rows / Math.max(phase.cpuSeconds, 0.001))).padStart(10);
    console.log(`${phase.phase.padEnd(46)} ${phase.seconds.toFixed(1).padStart(6)}  ${phase.cpuSeconds.toFixed(1).padStart(7)}  ${String(phase.rows ?? '').padStart(9)}  ${rate}`);
  }
  console.log(`\n${seed.cases} cases, ${seed.children} children, ${seed.timelineRows} timeline rows, ${seed.auditRows} audit entries in ${seed.seconds.toFixed(1)} s (the worker thread busy ${seed.workerBusySeconds.toFixed(1)} s)`);
  console.log(`benchmark ward ${seed.orgs.commune}: caseload ${seed.caseload}, triage ${seed.triage}; file ${seed.file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
