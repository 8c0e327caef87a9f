/**
 * A national-scale database for `npm run bench` (docs/decisions/0012): ten years of reports from
 * every commune of the country, one million cases by default, with their children, intakes,
 * timelines, assignments, search index, statistics and a valid audit hash chain of several million
 * entries, plus accounts for each role around one busy ward and an API key for the 111 hotline.
 *
 *   const seed = await seedNationalDatabase('bench/data/national.db', { cases: 1_000_000 });
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createApiKey } from '../../src/api/keys.js';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { hashPassword } from '../../src/auth/password.js';
import { loadNonWorkingDays } from '../../src/calendar/repository.js';
import { OPEN_STATES } from '../../src/cases/workflow/machine.js';
import { openDatabase, runMigrations, type Db } from '../../src/db/client.js';
import type { Role } from '../../src/permissions/roles.js';
import { foldVietnamese } from '../../src/text/fold.js';
import { createUser } from '../../src/users/repository.js';
import { AuditQueue } from './audit.js';
import { startBulkLoad } from './bulk.js';
import { MONTH_MS, MONTHS, seedCases } from './cases.js';
import { COPIED_TABLES, SeedWorker } from './offload.js';
import { seededRandom } from './random.js';
import { placeSearchIndexAtItsLevel } from './search-index-level.js';
import { seedNationalTree } from './tree.js';
import { BENCH_CHAIR, BENCH_OPERATOR, BENCH_WORKER, seedStaff } from './users.js';

/** Every seeded account's password. The file holds made-up data only. */
export const BENCH_PASSWORD = 'bvte-bench-2026';

export interface SeededUser {
  username: string;
  userId: number;
  /** The organisation of the account's (only) role assignment. */
  orgId: number;
}

export interface SeedPhase {
  phase: string;
  seconds: number;
  /** CPU time of the process (main thread and worker) in the phase: on a shared machine, the figure to extrapolate from. */
  cpuSeconds: number;
  /** Rows written in the phase, where it writes many. */
  rows?: number;
}

export interface NationalSeed {
  file: string;
  cases: number;
  children: number;
  auditRows: number;
  timelineRows: number;
  /** Wall time of the whole seed. */
  seconds: number;
  /** Of which the worker thread (audit chain, counters) was busy. */
  workerBusySeconds: number;
  password: string;
  /** One account per role, all around the benchmark's ward: its worker and chairperson, its province's supervisor, ... */
  users: Record<Role, SeededUser>;
  /** Plaintext of an API key of the 111 hotline, for POST /api/v1/intakes. */
  apiKey: string;
  /** Child names (as written and folded) of cases the commune worker may read. */
  searchTerms: string[];
  orgs: { national: number; hotline: number; province: number; commune: number; school: number };
  /** Open cases assigned to the commune worker, and new intakes in the ward's triage queue. */
  caseload: number;
  triage: number;
  phases: SeedPhase[];
}

export interface SeedOptions {
  /** Default 1,000,000. */
  cases?: number;
  onProgress?: (phase: string) => void;
  /** The seed's "today"; reports span the ten years before it. Default: now. */
  now?: Date;
  /** PRNG seed: the same number gives the same database. Default 2026. */
  seed?: number;
  /** About this many communes and wards (default 10,000); tests use fewer to stay quick. */
  communes?: number;
}

function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
}

function count(db: Db, sql: string, ...params: unknown[]): number {
  return (db.$client.prepare(sql).get(...params) as { n: number }).n;
}

export async function seedNationalDatabase(file: string, options: SeedOptions = {}): Promise<NationalSeed> {
  const total = options.cases ?? 1_000_000;
  const now = options.now ?? new Date();
  const rnd = seededRandom(options.seed ?? 2026);
  const progress = options.onProgress ?? (() => undefined);
  const phases: SeedPhase[] = [];
  const started = performance.now();
  let phaseStarted = started;
  let cpuStarted = process.cpuUsage();
  const phaseDone = (phase: string, rows?: number): void => {
    const at = performance.now();
    const cpu = process.cpuUsage(cpuStarted);
    phases.push({ phase, seconds: (at - phaseStarted) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, ...(rows === undefined ? {} : { rows }) });
    phaseStarted = at;
    cpuStarted = process.cpuUsage();
    progress(`${phase} done`);
  };

  removeDatabaseFiles(file);
  const db = openDatabase(file);
  try {
    runMigrations(db);
    const client = db.$client;
    const bulk = startBulkLoad(client);
    const startMs = now.getTime() - MONTHS * MONTH_MS;
    const audit = new AuditQueue(MONTH_MS);
    const holidays = loadNonWorkingDays(db);
    phaseDone('migrations');

    // The system was set up the day before the first report came in.
    const setupMs = startMs - 86_400_000;
    const setupAt = new Date(setupMs).toISOString();
    const tree = seedNationalTree(db, rnd, options.communes === undefined ? {} : { communes: options.communes }, setupAt);
    tree.created.forEach((id, i) => audit.add(setupMs + i, SYSTEM_AUDIT_CONTEXT, 'org.create', 'organisation', id));
    phaseDone('organisations', tree.created.length);

    const passwordHash = await hashPassword(BENCH_PASSWORD);
    const staff = seedStaff(db, tree, passwordHash, rnd, setupAt);
    staff.created.forEach((id, i) => audit.add(setupMs + tree.created.length + i, SYSTEM_AUDIT_CONTEXT, 'user.create', 'user', id));
    phaseDone('staff accounts', staff.created.length);

    let lastReport = performance.now();
    const worker = new SeedWorker(db, file, `${file}.audit-side`, bulk.auditIndexes);
    const seed = (): ReturnType<typeof seedCases> => seedCases({
      db,
      tree,
      staff,
      audit,
      worker,
      rnd,
      total,
      now,
      startMs,
      holidays,
      onMonth: (month, casesSoFar) => {
        if (performance.now() - lastReport < 5000 && month < MONTHS - 1) return;
        lastReport = performance.now();
        progress(`cases: ${casesSoFar} of ${total} (month ${month + 1} of ${MONTHS}), audit entries: ${audit.queued}`);
      },
    });
    let seeded: ReturnType<typeof seedCases>;
    try {
      seeded = seed();
    } catch (error) {
      await worker.abort();
      throw error;
    }
    worker.endOfInput();
    phaseDone('cases, intakes, children, timelines, search, facts', seeded.cases);
    // The worker builds the audit log's indexes meanwhile; its tables are checked once copied in.
    const copied = new Set(COPIED_TABLES);
    const withForeignKeys = bulk.tablesWithForeignKeys();
    bulk.restoreIndexes();
    bulk.checkForeignKeys(withForeignKeys.filter((table) => !copied.has(table)));
    phaseDone('indexes, foreign key check, search index merged');
    const { auditRows, busySeconds: workerBusySeconds } = await worker.finished();
    phaseDone('worker: last counters, audit indexes');
    worker.copyIn();
    phaseDone('audit chain and statistics counters copied in', auditRows);

    client.prepare('DELETE FROM stats_dirty').run();
    client.prepare("INSERT INTO stats_meta (key, value) VALUES ('version', '1'), ('deadlines_checked_at', ?)").run(now.toISOString());
    bulk.checkForeignKeys(withForeignKeys.filter((table) => copied.has(table)));
    bulk.finish();
    placeSearchIndexAtItsLevel(file, seeded.cases);
    phaseDone('triggers, foreign key check of the copied tables, search index level');

    // The benchmark's own accounts and key, through the app's services (each with its audit entry).
    const commune = tree.benchCommune;
    const province = tree.provinces.find((candidate) => candidate.id === commune.provinceId);
    const school = commune.schools[0];
    if (!province || school === undefined) throw new Error('the benchmark ward has no province or school');
    const userIdOf = (username: string): number => count(db, 'SELECT id AS n FROM users WHERE username = ?', username);
    const account = (username: string, orgId: number): SeededUser => ({ username, userId: userIdOf(username), orgId });
    const create = (username: string, role: Role, orgId: number): SeededUser => ({
      username,
      orgId,
      userId: createUser(db, SYSTEM_AUDIT_CONTEXT, { username, displayName: `Tài khoản đo hiệu năng (${role})`, passwordHash, homeOrgId: orgId, assignments: [{ role, orgId }] }),
    });
    const users: Record<Role, SeededUser> = {
      commune_worker: account(BENCH_WORKER, commune.id),
      commune_chair: account(BENCH_CHAIR, commune.id),
      hotline_operator: account(BENCH_OPERATOR, tree.hotline),
      supervisor: create('giamsat', 'supervisor', province.id),
      board_viewer: create('hoidong', 'board_viewer', tree.national),
      teacher: create('giaovien', 'teacher', school),
      school_lead: create('bgh', 'school_lead', school),
      social_worker: create('ctxh', 'social_worker', province.socialWorkCentre),
      admin: create('quantri', 'admin', tree.national),
    };
    const apiKey = createApiKey(db, SYSTEM_AUDIT_CONTEXT, { orgId: tree.hotline, name: 'Tổng đài 111 (đo hiệu năng)', createdBy: null }).key;
    // Query plans need table statistics; a sampled ANALYZE takes seconds instead of minutes.
    client.pragma('analysis_limit = 1000');
    client.exec('ANALYZE');
    client.pragma('wal_checkpoint(TRUNCATE)');
    phaseDone('accounts, API key, ANALYZE');

    const names = (
      client
        .prepare(
          `SELECT DISTINCT children.full_name AS name FROM cases JOIN children ON children.id = cases.child_id
           WHERE cases.org_id = ? AND cases.sensitive = 0 ORDER BY cases.id DESC LIMIT 6`,
        )
        .all(commune.id) as { name: string }[]
    ).map((row) => row.name);
    const searchTerms = names.flatMap((name) => [name, foldVietnamese(name)]);
    const openStates = OPEN_STATES.map((state) => `'${state}'`).join(', ');
    const result: NationalSeed = {
      file,
      cases: seeded.cases,
      children: seeded.children,
      auditRows: count(db, 'SELECT count(*) AS n FROM audit_log'),
      timelineRows: seeded.timelineRows,
      seconds: (performance.now() - started) / 1000,
      workerBusySeconds,
      password: BENCH_PASSWORD,
      users,
      apiKey,
      searchTerms,
      orgs: { national: tree.national, hotline: tree.hotline, province: province.id, commune: commune.id, school },
      caseload: count(db, `SELECT count(*) AS n FROM cases WHERE assigned_user_id = ? AND state IN (${openStates})`, users.commune_worker.userId),
      triage: count(db, "SELECT count(*) AS n FROM cases WHERE org_id = ? AND state = 'intake' AND sensitive = 0", commune.id),
      phases,
    };
    return result;
  } finally {
    db.$client.close();
  }
}
