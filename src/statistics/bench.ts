/**
 * Measures the statistics views at national scale (docs/decisions/0011): seeds a throw-away
 * database with the national organisation tree of the benchmark seed (bench/seed/tree.ts,
 * docs/decisions/0012) and synthetic case facts (default one million),
 * builds the pre-aggregated counters with the refresher's own code, then times the pages a board
 * member at each level opens, cold (first view after the counts changed) and warm, and a refresh
 * after real cases are added through the intake service. Nothing here is committed data.
 *
 *   node --import tsx src/statistics/bench.ts [cases] [--keep] [--compare-index]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { seededRandom, type Random } from '../../bench/seed/random.js';
import { seedNationalTree, type NationalTree } from '../../bench/seed/tree.js';
import { SYSTEM_AUDIT_CONTEXT } from '../audit/log.js';
import { hashPassword } from '../auth/password.js';
import { buildApp } from '../app.js';
import { testConfig } from '../config/config.js';
import { openDatabase, runMigrations, sqliteOf, writeTransaction, type Db } from '../db/client.js';
import { createIntake } from '../intake/service.js';
import type { TaxonomyGroupKind } from '../taxonomy/seed-data.js';
import { createUser } from '../users/repository.js';
import { Tallies } from './contributions.js';
import { AGE_BANDS, CHANNELS, RISKS, SEX_KEYS, STAGES } from './dimensions.js';
import type { CaseFact } from './facts.js';
import { monthKeyOf } from './periods.js';
import { ancestorsOf, tallyFact, writeTallies } from './refresh.js';

const MONTHS = 120;
const PASSWORD = 'bench-password-2026';

function months(now: Date): string[] {
  return Array.from({ length: MONTHS }, (_, i) => monthKeyOf(new Date(now.getTime() - i * 30.4 * 86_400_000)));
}

/** One synthetic case: the coded attributes only, as deriveCaseFact would produce them. */
function syntheticFact(rnd: Random, unitOrgId: number, level: 'school' | 'commune', month: string, later: (n: number) => string, categories: { code: string; group: TaxonomyGroupKind }[]): CaseFact {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const chosen = [pick(categories), ...(rnd() < 0.3 ? [pick(categories)] : [])];
  const stage = rnd() < 0.75 ? 'closed' : pick(STAGES);
  const closedMonth = later(Math.floor(rnd() * 4));
  return {
    kind: 'case',
    unitOrgId,
    level,
    month,
    channel: level === 'school' ? 'teacher' : pick(CHANNELS),
    stage,
    risk: pick(RISKS),
    ageBand: pick(AGE_BANDS),
    sex: pick(SEX_KEYS),
    categories: [...new Set(chosen.map((c) => c.code))].sort(),
    groups: [...new Set(chosen.map((c) => c.group))].sort(),
    closure: stage === 'closed' ? { month: closedMonth, outcome: rnd() < 0.8 ? 'resolved' : 'unfounded' } : null,
    triage: level === 'school' ? { month, hours: rnd() * 72 } : null,
    emergencies: rnd() < 0.1 ? [{ month, inTime: rnd() < 0.85 }] : [],
    plans: rnd() < 0.5 ? [{ month: later(1), inTime: rnd() < 0.8 }] : [],
    approvals: rnd() < 0.5 ? [{ month: later(1), firstTime: rnd() < 0.8 }] : [],
    closures: stage === 'closed' ? [{ month: closedMonth, days: Math.floor(rnd() * 200), reopened: rnd() < 0.05 }] : [],
  };
}

/** Facts and counters for `total` cases, province by province so the counters held in memory stay small. */
function seedFacts(db: Db, tree: NationalTree, total: number, now: Date): number {
  const rnd = seededRandom(7);
  const monthList = months(now);
  const categories = db.all<{ code: string; group: TaxonomyGroupKind }>(sql`SELECT code, group_kind AS "group" FROM taxonomy_codes WHERE parent_code IS NULL`);
  const insert = db.$client.prepare("INSERT INTO stats_facts (source, source_id, unit_org_id, payload) VALUES ('case', ?, ?, ?)");
  // The refresher's own tallying: each fact counts at its province and at the national level.
  const ancestors = ancestorsOf(db);
  const tallies = new Tallies();
  let id = 0;
  let counterRows = 0;
  const write = (orgId: number): void => {
    const tally = tallies.byOrg.get(orgId);
    if (!tally) return;
    writeTransaction(db, (tx) => writeTallies(sqliteOf(tx), new Map([[orgId, tally]])));
    counterRows += [...tally.counts.values()].reduce((sum, counts) => sum + counts.size, 0);
    tallies.byOrg.delete(orgId);
  };
  for (const province of tree.provinces) {
    const share = Math.round(total / tree.provinces.length);
    writeTransaction(db, () => {
      for (let i = 0; i < share; i += 1) {
        const commune = province.communes[Math.floor(rnd() * province.communes.length)];
        if (!commune) continue;
        const atSchool = rnd() < 0.4 && commune.schools.length > 0;
        const unit = atSchool ? (commune.schools[Math.floor(rnd() * commune.schools.length)] ?? commune.id) : commune.id;
        // More recent months hold more cases, as the system's use grows.
        const age = Math.floor(Math.pow(rnd(), 1.3) * MONTHS);
        const fact = syntheticFact(rnd, unit, atSchool ? 'school' : 'commune', monthList[age] ?? '', (n) => monthList[Math.max(0, age - n)] ?? '', categories);
        id += 1;
        insert.run(id, unit, JSON.stringify(fact));
        tallyFact(tallies, ancestors, fact, 1);
      }
    });
    write(province.id);
  }
  write(tree.national);
  return counterRows;
}

interface Timing {
  label: string;
  cold: number;
  median: number;
  p95: number;
  max: number;
}

function summarise(label: string, cold: number, warm: number[]): Timing {
  const sorted = [...warm].sort((a, b) => a - b);
  return { label, cold, median: sorted[Math.floor(sorted.length / 2)] ?? 0, p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0, max: sorted.at(-1) ?? 0 };
}

async function main(): Promise<void> {
  const total = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 1_000_000);
  const keep = process.argv.includes('--keep');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bvte-stats-bench-'));
  const db = openDatabase(path.join(dataDir, 'bvte.db'));
  runMigrations(db);
  db.run(sql`DELETE FROM stats_dirty`);
  const now = new Date();
  const log = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };

  let started = performance.now();
  // The shape measured in docs/decisions/0011: 63 provinces × 52 communes × 10 schools.
  const tree = seedNationalTree(db, seededRandom(2026), { communes: 63 * 52, schoolsPerCommune: 10 });
  log(`organisations: ${db.get<{ n: number }>(sql`SELECT count(*) AS n FROM organisations`).n} in ${Math.round(performance.now() - started)} ms`);
  started = performance.now();
  const counterRows = seedFacts(db, tree, total, now);
  log(`facts: ${total}, counter rows: ${counterRows}, in ${Math.round((performance.now() - started) / 1000)} s`);
  db.run(sql`INSERT INTO stats_meta (key, value) VALUES ('version', '1'), ('deadlines_checked_at', ${now.toISOString()})`);
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.exec('ANALYZE');

  const province = tree.provinces[0];
  const commune = province?.communes[0];
  const school = commune?.schools[0];
  if (!province || !commune || school === undefined) throw new Error('empty tree');
  const viewers = [
    { username: 'quocgia', orgId: tree.national, label: 'national (63 provinces)' },
    { username: 'tinh', orgId: province.id, label: `province (${province.communes.length} communes)` },
    { username: 'xa', orgId: commune.id, label: `commune (${commune.schools.length} schools)` },
    { username: 'truong', orgId: school, label: 'school' },
  ];
  const passwordHash = await hashPassword(PASSWORD);
  for (const viewer of viewers) {
    createUser(db, SYSTEM_AUDIT_CONTEXT, { username: viewer.username, displayName: viewer.label, passwordHash, homeOrgId: viewer.orgId, assignments: [{ role: 'board_viewer', orgId: viewer.orgId }] });
  }
  db.run(sql`DELETE FROM stats_dirty`);

  const app = await buildApp({ config: testConfig({ dataDir }), db });
  await app.ready();
  const cookies = new Map<string, string>();
  for (const viewer of viewers) {
    const first = await app.inject({ url: '/login' });
    const csrf = first.cookies.find((cookie) => cookie.name === 'bvte_csrf')?.value ?? '';
    const login = await app.inject({ method: 'POST', url: '/login', headers: { cookie: `bvte_csrf=${csrf}` }, payload: { username: viewer.username, password: PASSWORD, _csrf: csrf } });
    cookies.set(viewer.username, `bvte_session=${login.cookies.find((cookie) => cookie.name === 'bvte_session')?.value ?? ''}`);
  }
  const periods = [...new Set(months(now).slice(0, 12))]
    .flatMap((month) => [month, `${month.slice(0, 4)}-Q${Math.ceil(Number(month.slice(5, 7)) / 3)}`, month.slice(0, 4)])
    .filter((period, i, all) => all.indexOf(period) === i);
  const queries = periods.flatMap((period) => ['all', 'school', 'commune'].map((level) => `period=${period}&level=${level}`));

  const timeView = async (username: string, query: string): Promise<number> => {
    const startedAt = performance.now();
    const response = await app.inject({ url: `/statistics?${query}`, headers: { cookie: cookies.get(username) ?? '' } });
    const elapsed = performance.now() - startedAt;
    if (response.statusCode !== 200) throw new Error(`${username} ${query}: ${response.statusCode}`);
    return elapsed;
  };
  const measure = async (): Promise<Timing[]> => {
    const results: Timing[] = [];
    for (const viewer of viewers) {
      // The first view of an organisation waits for the worker; later ones are served from its result.
      const cold = await timeView(viewer.username, 'period=' + (periods[1] ?? ''));
      const warm: number[] = [];
      for (const query of queries) warm.push(await timeView(viewer.username, query));
      results.push(summarise(viewer.label, cold, warm));
    }
    return results;
  };
  const print = (title: string, results: Timing[]): void => {
    log(`\n${title}`);
    log('viewer                     first ms  median  p95     max   (full GET /statistics through the app, HTML rendered)');
    for (const r of results) log(`${r.label.padEnd(26)} ${r.cold.toFixed(1).padStart(7)}  ${r.median.toFixed(1).padStart(11)}  ${r.p95.toFixed(1).padStart(6)}  ${r.max.toFixed(1).padStart(6)}`);
  };
  print(`views over ${total} cases, ${queries.length} filter combinations each`, await measure());

  // Fresh cases: 200 intakes through the real service, then one refresher run, then the views again.
  writeTransaction(db, (tx) => {
    for (let i = 0; i < 200; i += 1) {
      createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
        channel: 'hotline',
        medium: 'phone',
        receivedAt: now.toISOString(),
        sourceOrgId: null,
        child: { name: 'Trẻ thử nghiệm', estimatedAge: 8, sex: 'male' },
        residenceOrgId: commune.id,
        description: 'Dữ liệu đo hiệu năng.',
        immediateDanger: false,
        categories: ['abuse_neglect'],
        reporter: { consented: false },
      });
    }
  });
  // One refresher run, as the app's timer does it: the queue in small batches, then the worker
  // recomputes the tables of the organisations viewed recently (views meanwhile get the previous ones).
  const batches: number[] = [];
  const probe = setInterval(() => batches.push(performance.now()), 1);
  started = performance.now();
  const refreshed = await app.statistics.tick();
  clearInterval(probe);
  const stalls = batches.slice(1).map((at, i) => at - (batches[i] ?? at));
  log(`\nrefresher run after 200 new cases: ${refreshed.processed} queued rows, ${refreshed.changed} facts changed, ${Math.round(performance.now() - started)} ms in all (longest stall of the web thread ${Math.round(Math.max(0, ...stalls))} ms)`);
  print('views after the refresh', await measure());

  // The alternative to pre-aggregation: one narrow row per case and a covering index, grouped per view.
  if (process.argv.includes('--compare-index')) {
    started = performance.now();
    db.$client.exec(`
      CREATE TABLE bench_case_dims AS SELECT unit_org_id, json_extract(payload, '$.month') AS month, json_extract(payload, '$.channel') AS channel
        FROM stats_facts WHERE source = 'case';
      CREATE INDEX bench_case_dims_idx ON bench_case_dims (unit_org_id, month, channel);
      ANALYZE;`);
    log(`\ncovering index built in ${Math.round((performance.now() - started) / 1000)} s`);
    const grouped = db.$client.prepare(`
      SELECT month, channel, count(*) AS n FROM bench_case_dims
      WHERE unit_org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ?) GROUP BY month, channel`);
    for (const viewer of viewers) {
      const times: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const at = performance.now();
        grouped.all(viewer.orgId);
        times.push(performance.now() - at);
      }
      log(`covering index, one table (channels by month), ${viewer.label}: ${Math.min(...times).toFixed(1)} ms (best of 5); a view needs ten such tables`);
    }
  }

  const size = fs.statSync(path.join(dataDir, 'bvte.db')).size + (fs.existsSync(path.join(dataDir, 'bvte.db-wal')) ? fs.statSync(path.join(dataDir, 'bvte.db-wal')).size : 0);
  log(`\ndatabase: ${(size / 1_048_576).toFixed(0)} MiB (${dataDir}${keep ? ', kept' : ', removed'})`);
  await app.close();
  if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
