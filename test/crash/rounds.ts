import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { databaseFile, openDatabase, runMigrations } from '../../src/db/client.js';
import { createOrganisation } from '../../src/orgs/repository.js';
import { inspectDatabase, verifyAuditChainWithCli, type ChainCheck } from './checks.js';
import { sendIntake, startIntakeLoad, type Acknowledged, type IntakeRequest } from './intake-load.js';
import { killStrayProcesses, runBvte, startAppServer, type AppServer } from './processes.js';

export interface CrashOptions {
  rounds: number;
  /** The app listens here; crash runs own 4120–4129. */
  port: number;
  /** Request loops sending intakes side by side. */
  concurrency?: number;
  /** The kill lands a random time in this range after the round's first 201. */
  killDelayMs?: { min: number; max: number };
  /** Leave the data directory in place afterwards, to inspect a failure. */
  keepData?: boolean;
  log?: (line: string) => void;
  random?: () => number;
}

export interface RoundReport {
  round: number;
  /** The round's intakes answered 201 before the kill: must be > 0, or the kill did not land mid-load. */
  acknowledgedAtKill: number;
  /** Requests sent and not yet answered when the kill came: must be > 0, or the kill landed between requests. */
  inFlightAtKill: number;
  killAfterMs: number;
  /** Every 201 of the round: before the kill, answers already on the wire, and retries. */
  acknowledged: number;
  /** The previous round's requests whose answer the crash took, sent again with the same Idempotency-Key. */
  retried: number;
  /** ... of which had committed before the crash, so the app answered with the stored 201. */
  replayed: number;
  /** Acknowledged over all rounds so far: each of them must still be there. */
  totalAcknowledged: number;
  present: number;
  /** Intakes in the database: acknowledged ones plus those that committed while their answer was lost. */
  committed: number;
  walBytesAfterKill: number;
  /** From spawning the app to its first healthy answer, recovery of the last crash included. */
  startMs: number;
  integrity: string;
  chain: ChainCheck | null;
  durationMs: number;
  failures: string[];
}

export interface CrashReport {
  rounds: RoundReport[];
  ok: boolean;
  dataDir: string;
}

const READY_TIMEOUT_MS = 60_000;
const FIRST_ACK_TIMEOUT_MS = 30_000;
const CLI_TIMEOUT_MS = 60_000;
const DEFAULT_CONCURRENCY = 16;
const DEFAULT_KILL_DELAY_MS = { min: 100, max: 1_500 };
const API_KEY_LINE = /^(bvte_\S+)$/m;
/** Enough examples to diagnose a failure without flooding the report. */
const SHOWN = 5;

interface Fixture {
  apiKey: string;
  communeId: number;
}

/** A migrated database with a commune to receive intakes and a hotline whose API key sends them. */
async function prepareDataDir(dataDir: string): Promise<Fixture> {
  const db = openDatabase(databaseFile(dataDir));
  let hotline: number;
  let communeId: number;
  try {
    runMigrations(db);
    const add = (name: string, kind: 'province' | 'commune' | 'hotline', parentId: number | null): number =>
      createOrganisation(db, SYSTEM_AUDIT_CONTEXT, { name, kind, parentId });
    const province = add('Tỉnh Thử Nghiệm', 'province', null);
    communeId = add('Xã An Bình', 'commune', province);
    hotline = add('Tổng đài 111', 'hotline', province);
  } finally {
    db.$client.close();
  }
  // The key is made the way an operator makes one, with the real CLI.
  const created = await runBvte(['apikey', 'create', '--org', String(hotline), '--name', 'Crash test', '--data-dir', dataDir], CLI_TIMEOUT_MS);
  const apiKey = API_KEY_LINE.exec(created.output)?.[1];
  if (created.code !== 0 || !apiKey) throw new Error(`bvte apikey create failed (exit ${created.code}):\n${created.output}`);
  return { apiKey, communeId };
}

/** Unref'd: a timeout that lost its race must not keep the process alive after the last round. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function fileSize(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}

function sample<T>(items: T[], show: (item: T) => string): string {
  const shown = items.slice(0, SHOWN).map(show).join(', ');
  return items.length > SHOWN ? `${shown}, … (${items.length} in all)` : shown;
}

/** What a round carries to the next: the requests whose answer was lost, and which of them had committed. */
interface Carry {
  unanswered: IntakeRequest[];
  committed: Map<string, string>;
}

/**
 * A client that lost its answer in the crash retries with the same Idempotency-Key. An intake that had
 * committed must come back as the stored 201 (same reference), one that had not must be filed now: either
 * way exactly one case, never a duplicate and never an error.
 */
async function retryUnanswered(server: AppServer, fixture: Fixture, carry: Carry, failures: string[]): Promise<{ acknowledged: Acknowledged[]; replayed: number }> {
  const acknowledged: Acknowledged[] = [];
  let replayed = 0;
  await Promise.all(
    carry.unanswered.map(async (request) => {
      try {
        const result = await sendIntake(server.baseUrl, fixture.apiKey, request);
        const stored = carry.committed.get(request.idempotencyKey);
        if (!result.acknowledged) failures.push(`retry of ${request.idempotencyKey}: HTTP ${result.status} ${result.body.slice(0, 200)}`);
        else if (stored !== undefined && (!result.replayed || result.acknowledged.reference !== stored)) {
          failures.push(`retry of ${request.idempotencyKey} committed before the crash as ${stored} but was answered ${result.acknowledged.reference} (replayed: ${result.replayed})`);
        } else if (stored === undefined && result.replayed) {
          failures.push(`retry of ${request.idempotencyKey} was replayed, yet no stored answer was found after the crash`);
        }
        if (result.acknowledged) acknowledged.push(result.acknowledged);
        if (result.replayed) replayed += 1;
      } catch (error) {
        failures.push(`retry of ${request.idempotencyKey} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
  return { acknowledged, replayed };
}

interface RoundContext {
  round: number;
  options: Required<Omit<CrashOptions, 'log' | 'keepData'>>;
  dataDir: string;
  fixture: Fixture;
  /** Every intake acknowledged so far, over all rounds; the round adds its own. */
  allAcknowledged: Acknowledged[];
  carry: Carry;
}

type LoadPhase = 'acknowledged' | 'load ended' | 'app exited' | 'timeout';

/** Start, retry, load, kill -9, check. Failures are collected, not thrown, so the report can show them all. */
async function runRound(context: RoundContext): Promise<{ report: RoundReport; carry: Carry }> {
  const startedAt = Date.now();
  const { round, options, dataDir, fixture, allAcknowledged } = context;
  const failures: string[] = [];
  const report: RoundReport = {
    round,
    acknowledgedAtKill: 0,
    inFlightAtKill: 0,
    killAfterMs: 0,
    acknowledged: 0,
    retried: context.carry.unanswered.length,
    replayed: 0,
    totalAcknowledged: allAcknowledged.length,
    present: 0,
    committed: 0,
    walBytesAfterKill: 0,
    startMs: 0,
    integrity: 'not checked',
    chain: null,
    durationMs: 0,
    failures,
  };

  const server = await startAppServer({ dataDir, port: options.port, readyTimeoutMs: READY_TIMEOUT_MS });
  report.startMs = Date.now() - startedAt;
  let unanswered: IntakeRequest[] = [];
  try {
    const retry = await retryUnanswered(server, fixture, context.carry, failures);
    allAcknowledged.push(...retry.acknowledged);
    report.replayed = retry.replayed;

    const load = startIntakeLoad({ baseUrl: server.baseUrl, apiKey: fixture.apiKey, communeId: fixture.communeId, concurrency: options.concurrency, keyPrefix: `r${round}` });
    const phase = await Promise.race<LoadPhase>([
      load.firstAcknowledged.then(() => 'acknowledged'),
      load.finished.then(() => 'load ended'),
      server.exited.then(() => 'app exited'),
      sleep(FIRST_ACK_TIMEOUT_MS).then(() => 'timeout'),
    ]);
    if (phase === 'acknowledged') {
      const { min, max } = options.killDelayMs;
      report.killAfterMs = Math.round(min + options.random() * (max - min));
      await Promise.race([sleep(report.killAfterMs), load.finished]);
    } else {
      failures.push(`no intake was acknowledged before the kill (${phase})`);
    }
    const diedEarly = server.hasExited();
    if (diedEarly) failures.push(`the app died before the kill:\n${server.output()}`);

    // Snapshot, stop and kill in one synchronous step, so the snapshot is what the kill interrupted.
    report.acknowledgedAtKill = load.acknowledgedCount();
    report.inFlightAtKill = load.inFlight();
    load.stop();
    server.killHard();
    const exit = await server.exited;
    if (!diedEarly && exit.signal !== 'SIGKILL') failures.push(`the app ended with ${exit.signal ?? `exit code ${exit.code}`}, not SIGKILL`);
    const outcome = await load.finished;
    report.walBytesAfterKill = fileSize(`${databaseFile(dataDir)}-wal`);

    if (phase === 'acknowledged' && report.acknowledgedAtKill === 0) failures.push('the kill landed before any intake was acknowledged');
    if (report.inFlightAtKill === 0) failures.push('no request was in flight at the kill');
    if (outcome.unexpected.length > 0) failures.push(`unexpected answers during the load: ${sample(outcome.unexpected, (line) => line)}`);
    allAcknowledged.push(...outcome.acknowledged);
    report.acknowledged = retry.acknowledged.length + outcome.acknowledged.length;
    unanswered = outcome.unanswered;
  } finally {
    // Whatever failed above, the app must not outlive the round.
    server.killHard();
    await server.exited.catch(() => undefined);
  }

  const findings = inspectDatabase(dataDir, allAcknowledged, unanswered.map((request) => request.idempotencyKey));
  report.totalAcknowledged = allAcknowledged.length;
  report.present = allAcknowledged.length - findings.missing.length;
  report.committed = findings.counts.cases;
  report.integrity = findings.integrity.join('; ');
  if (findings.integrity.length !== 1 || findings.integrity[0] !== 'ok') failures.push(`integrity_check: ${sample(findings.integrity, (line) => line)}`);
  if (findings.missing.length > 0) {
    failures.push(`acknowledged intakes missing after the crash: ${sample(findings.missing, (ack) => `${ack.reference} (case ${ack.caseId}, key ${ack.idempotencyKey})`)}`);
  }
  const { cases, intakes, idempotencyKeys, intakeAudits } = findings.counts;
  if (new Set([cases, intakes, idempotencyKeys, intakeAudits]).size !== 1) {
    failures.push(`half-written intakes: ${cases} cases, ${intakes} intakes, ${idempotencyKeys} idempotency keys, ${intakeAudits} api.intake audit entries`);
  }
  report.chain = await verifyAuditChainWithCli(dataDir, CLI_TIMEOUT_MS);
  if (!report.chain.ok) failures.push(`bvte audit verify failed: ${report.chain.output}`);
  report.durationMs = Date.now() - startedAt;
  return { report, carry: { unanswered, committed: findings.committed } };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatRound(report: RoundReport, rounds: number): string {
  const chain = report.chain === null ? 'not checked' : report.chain.ok ? `ok (${report.chain.entries} entries)` : 'BROKEN';
  const line =
    `round ${String(report.round).padStart(String(rounds).length)}/${rounds}: ` +
    `acknowledged ${report.acknowledged} (${report.acknowledgedAtKill} before the kill, ${report.inFlightAtKill} in flight, ` +
    `kill ${report.killAfterMs} ms after the first 201; retried ${report.retried}, ${report.replayed} replayed) | ` +
    `present ${report.present}/${report.totalAcknowledged}, committed ${report.committed} | integrity ${report.integrity} | ` +
    `chain ${chain} | WAL ${megabytes(report.walBytesAfterKill)} | start ${seconds(report.startMs)}, round ${seconds(report.durationMs)} | ` +
    (report.failures.length === 0 ? 'ok' : 'FAILED');
  return [line, ...report.failures.map((failure) => `  ✗ ${failure}`)].join('\n');
}

export function formatSummary(report: CrashReport, requestedRounds: number): string {
  const last = report.rounds.at(-1);
  const total = last?.totalAcknowledged ?? 0;
  if (report.ok && last) {
    return (
      `crash test passed: ${report.rounds.length} kill -9 round(s); ${total} intakes acknowledged, every one present after every round; ` +
      `integrity_check ok and audit chain intact (${last.chain?.entries} entries) each time`
    );
  }
  const failed = report.rounds.find((round) => round.failures.length > 0);
  const where = failed ? `round ${failed.round} of ${requestedRounds}` : 'set-up';
  return `crash test FAILED in ${where}; ${report.rounds.length} round(s) run, ${total} intakes acknowledged`;
}

/** Data directories of runs still going, for abandonRuns(); runs asked to keep theirs are not listed. */
const unfinishedDataDirs = new Set<string>();

function removeDataDir(dataDir: string): void {
  fs.rmSync(dataDir, { recursive: true, force: true });
  unfinishedDataDirs.delete(dataDir);
}

/**
 * Rounds of: start the real app over the same data directory (recovering the last crash), send intakes
 * from concurrent loops, SIGKILL it mid-load at a random moment, then check that every acknowledged intake
 * is there, the file is sound and `bvte audit verify` passes. Stops at the first failed round.
 */
export async function runCrashRounds(options: CrashOptions): Promise<CrashReport> {
  const settings = {
    rounds: options.rounds,
    port: options.port,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    killDelayMs: options.killDelayMs ?? DEFAULT_KILL_DELAY_MS,
    random: options.random ?? Math.random,
  };
  const log = options.log ?? ((): void => undefined);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bvte-crash-'));
  if (!options.keepData) unfinishedDataDirs.add(dataDir);
  const report: CrashReport = { rounds: [], ok: false, dataDir };
  try {
    const fixture = await prepareDataDir(dataDir);
    const allAcknowledged: Acknowledged[] = [];
    let carry: Carry = { unanswered: [], committed: new Map() };
    for (let round = 1; round <= settings.rounds; round += 1) {
      const result = await runRound({ round, options: settings, dataDir, fixture, allAcknowledged, carry });
      report.rounds.push(result.report);
      log(formatRound(result.report, settings.rounds));
      if (result.report.failures.length > 0) return report;
      carry = result.carry;
    }
    report.ok = report.rounds.length === settings.rounds;
    return report;
  } finally {
    killStrayProcesses();
    if (options.keepData) log(`data directory kept: ${dataDir}`);
    else removeDataDir(dataDir);
  }
}

/** For an interrupt or a test timeout, when runCrashRounds cannot finish: kills its processes and removes its data. */
export function abandonRuns(): void {
  killStrayProcesses();
  for (const dataDir of unfinishedDataDirs) removeDataDir(dataDir);
}
