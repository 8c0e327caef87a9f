// The national benchmark seed (bench/seed, docs/decisions/0012) on a small scale: the file it makes
// must be one the app could have written itself — a valid audit chain, foreign keys and schema
// intact, snapshots the statechart restores, counters the refresher agrees with — and the app must
// serve it: the worker's case page, a search by a seeded name, the statistics.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createActor } from 'xstate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedNationalDatabase, type NationalSeed } from '../../bench/seed/index.js';
import { levelWrittenCaseByCase, searchIndexSegments } from '../../bench/seed/search-index-level.js';
import { buildApp } from '../../src/app.js';
import { verifyAuditChain } from '../../src/audit/verify.js';
import { caseMachine, stateKeyOf, type CaseSnapshot } from '../../src/cases/workflow/machine.js';
import { testConfig } from '../../src/config/config.js';
import { databaseFile, openDatabase, type Db } from '../../src/db/client.js';
import { mergeSearchIndexStep } from '../../src/search/index-merging.js';
import { rebuildSearchIndex } from '../../src/search/index.js';
import { matchQueries, queryWords } from '../../src/search/match.js';
import { refreshStatistics } from '../../src/statistics/refresh.js';
import { loadCounts } from '../../src/statistics/store.js';
import { login, send } from '../helpers/app.js';
import { TEMPLATE_DB, TEST_TMP_DIR } from '../paths.js';

const CASES = 3000;
/** A smaller country than the default ten thousand communes: the same code, a quicker test. */
const COMMUNES = 600;
const now = new Date();
const dataDir = path.join(TEST_TMP_DIR, `bench-seed-${process.pid}-${randomUUID()}`);
let seed: NationalSeed;
let db: Db;

function rows<T>(query: string, ...params: unknown[]): T[] {
  return db.$client.prepare(query).all(...params) as T[];
}

function schemaOf(client: Database.Database): string[] {
  return (client.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as { type: string; name: string; sql: string | null }[]).map(
    (row) => `${row.type} ${row.name}: ${row.sql ?? ''}`,
  );
}

beforeAll(async () => {
  seed = await seedNationalDatabase(databaseFile(dataDir), { cases: CASES, now, communes: COMMUNES });
  db = openDatabase(seed.file);
}, 120_000);

afterAll(() => {
  db.$client.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the national benchmark seed', () => {
  it('writes the cases, children, timelines and at least five audit entries per case', () => {
    const [counts] = rows<{ cases: number; children: number; timeline: number; audit: number; search: number; facts: number }>(`
      SELECT (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM children) AS children, (SELECT count(*) FROM case_timeline) AS timeline,
             (SELECT count(*) FROM audit_log) AS audit, (SELECT count(*) FROM case_search) AS search, (SELECT count(*) FROM stats_facts) AS facts`);
    expect(counts).toEqual({ cases: CASES, children: seed.children, timeline: seed.timelineRows, audit: seed.auditRows, search: CASES, facts: CASES });
    expect(seed.cases).toBe(CASES);
    expect(seed.auditRows).toBeGreaterThanOrEqual(5 * CASES);
    expect(seed.timelineRows).toBeGreaterThanOrEqual(3 * CASES);
  });

  it('keeps the audit hash chain valid, the foreign keys satisfied and the file intact', () => {
    expect(verifyAuditChain(db)).toEqual({ ok: true, entries: seed.auditRows });
    expect(db.$client.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    expect(db.$client.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });

  it('leaves exactly the schema the migrations make: every index and trigger put back', () => {
    const template = new Database(TEMPLATE_DB, { readonly: true });
    try {
      expect(schemaOf(db.$client)).toEqual(schemaOf(template));
    } finally {
      template.close();
    }
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('gives unique references of the BV-YYYY-NNNNNN form and spreads ten years over plausible states', () => {
    const [refs] = rows<{ n: number; uniq: number; bad: number }>(
      "SELECT count(*) AS n, count(DISTINCT reference) AS uniq, sum(reference NOT GLOB 'BV-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]') AS bad FROM cases",
    );
    expect(refs).toEqual({ n: CASES, uniq: CASES, bad: 0 });
    const years = rows<{ year: string }>('SELECT DISTINCT substr(reference, 4, 4) AS year FROM cases');
    expect(years.length).toBeGreaterThanOrEqual(10);
    const [old] = rows<{ open: number; total: number }>(
      "SELECT sum(state NOT IN ('closed', 'merged')) AS open, count(*) AS total FROM cases WHERE received_at < ?",
      new Date(now.getTime() - 2 * 365 * 86_400_000).toISOString(),
    );
    expect((old?.open ?? 1) / (old?.total ?? 1)).toBeLessThan(0.05);
    expect(rows('SELECT DISTINCT state FROM cases').length).toBeGreaterThanOrEqual(6);
    const [sensitive] = rows<{ share: number }>('SELECT avg(sensitive) AS share FROM cases');
    expect(sensitive?.share).toBeGreaterThan(0.02);
  });

  it('persists snapshots the case statechart restores in the recorded state', () => {
    const samples = rows<{ state: string; snapshot: string; org_id: number; received_at: string }>(
      'SELECT state, snapshot, org_id, received_at FROM cases WHERE id IN (SELECT min(id) FROM cases GROUP BY state)',
    );
    for (const sample of samples) {
      const snapshot = JSON.parse(sample.snapshot) as CaseSnapshot;
      const actor = createActor(caseMachine, { snapshot, input: { orgId: sample.org_id, receivedAt: sample.received_at } }).start();
      expect(stateKeyOf(actor.getSnapshot())).toBe(sample.state);
      expect(actor.getSnapshot().context.orgId).toBe(sample.org_id);
      expect(actor.getSnapshot().context.receivedAt).toBe(sample.received_at);
      actor.stop();
    }
  });

  it('computes the statistical facts and counters the refresher computes', () => {
    const counters = (): string[] => rows<Record<string, unknown>>('SELECT * FROM stats_counts ORDER BY org_id, grp, metric, level, month, key').map((row) => JSON.stringify(row));
    const facts = (): string[] => rows<{ payload: string }>("SELECT payload FROM stats_facts WHERE source = 'case' ORDER BY source_id").map((row) => row.payload);
    expect(rows('SELECT * FROM stats_dirty')).toEqual([]);
    const seeded = { counters: counters(), facts: facts() };
    const total = loadCounts(db, { orgId: seed.orgs.national, orgKind: 'national', group: 'all', metrics: ['channel'] })
      .entries('channel')
      .reduce((sum, [, , , n]) => sum + n, 0);
    expect(total).toBe(CASES);
    // Everything counted afresh by the app's own refresher, case by case from the tables.
    db.$client.prepare("INSERT INTO stats_dirty (source, source_id) VALUES ('rebuild', 0)").run();
    refreshStatistics(db, { now });
    expect(facts()).toEqual(seeded.facts);
    expect(counters()).toEqual(seeded.counters);
  }, 60_000);

  it("keeps the seeded segment out of the merges of the app's new segments", async () => {
    const copy = path.join(dataDir, 'merging.db');
    await db.$client.backup(copy);
    const merging = openDatabase(copy);
    try {
      const [seeded] = searchIndexSegments(merging.$client);
      const insert = merging.$client.prepare(
        "INSERT INTO case_search (rowid, reference, names, body, local_names, local_body) VALUES (?, 'bv', 'nguyen van thu', 'noi dung', '', '')",
      );
      // Each in a transaction of its own, as the app writes them: a segment each.
      for (let n = 1; n <= 6; n++) insert.run(10 * CASES + n);
      let steps = 0;
      while (mergeSearchIndexStep(merging)) steps += 1;
      expect(steps).toBeGreaterThan(0);
      const segments = searchIndexSegments(merging.$client);
      expect(segments).toHaveLength(2);
      expect(segments[1]).toEqual(seeded);
      merging.$client.prepare("INSERT INTO case_search (case_search) VALUES ('integrity-check')").run();
    } finally {
      merging.$client.close();
    }
  });

  it("leaves the search index in one whole segment, on the level the app's own writing would have reached, with FTS5's settings back", () => {
    expect(rows('SELECT DISTINCT segid FROM case_search_idx')).toHaveLength(1);
    expect(searchIndexSegments(db.$client)).toEqual([{ id: expect.any(Number), level: levelWrittenCaseByCase(CASES), pages: expect.any(Number) }]);
    expect(levelWrittenCaseByCase(CASES)).toBe(11);
    // Throws if the index is inconsistent.
    db.$client.prepare("INSERT INTO case_search (case_search) VALUES ('integrity-check')").run();
    expect(rows("SELECT k, v FROM case_search_config WHERE k IN ('automerge', 'crisismerge', 'hashsize') ORDER BY k")).toEqual([
      { k: 'automerge', v: 4 },
      { k: 'crisismerge', v: 16 },
      { k: 'hashsize', v: 1_048_576 },
    ]);
  });

  it("finds with the seeded search index what the app's own indexing finds", () => {
    // The seed's names, words of the reports, and a reference of the ward, nationally and in the ward.
    const reference = rows<{ reference: string }>('SELECT reference FROM cases WHERE org_id = ? LIMIT 1', seed.orgs.commune)[0]?.reference ?? '';
    const texts = [...seed.searchTerms, 'bi danh', 'bo hoc', 'hang xom', 'xuong may', reference];
    const matching = (orgIds: number[] | null): number[][] =>
      texts.map((text) =>
        matchQueries('anywhere', queryWords(text) ?? [], orgIds).flatMap(
          (query) => db.$client.prepare('SELECT rowid FROM case_search WHERE case_search MATCH ? ORDER BY rowid').pluck().all(query) as number[],
        ),
      );
    const seeded = { national: matching(null), ward: matching([seed.orgs.commune]) };
    expect(seeded.national.every((ids) => ids.length > 0)).toBe(true);
    expect(seeded.ward.at(-1)).toHaveLength(1);
    rebuildSearchIndex(db);
    expect({ national: matching(null), ward: matching([seed.orgs.commune]) }).toEqual(seeded);
  }, 60_000);

  describe('served by the app', () => {
    let app: Awaited<ReturnType<typeof buildApp>>;

    beforeAll(async () => {
      app = await buildApp({ config: testConfig({ dataDir }), db });
      await app.ready();
    });

    afterAll(async () => {
      await app.close();
    });

    it("shows the commune worker a case of their ward, and finds a seeded child's name with or without diacritics", async () => {
      const worker = await login(app, db, seed.users.commune_worker.username, seed.password);
      const [own] = rows<{ id: number; reference: string }>(
        'SELECT id, reference FROM cases WHERE org_id = ? AND (sensitive = 0 OR assigned_user_id = ?) ORDER BY id DESC LIMIT 1',
        seed.users.commune_worker.orgId,
        seed.users.commune_worker.userId,
      );
      if (!own) throw new Error('no case in the benchmark ward');
      const page = await send(app, worker, { url: `/cases/${own.id}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(own.reference);

      expect(seed.searchTerms.length).toBeGreaterThan(0);
      for (const term of seed.searchTerms.slice(0, 2)) {
        const found = await send(app, worker, { url: `/search?q=${encodeURIComponent(term)}` });
        expect(found.statusCode).toBe(200);
        expect(found.body).toMatch(/href="\/cases\/\d+"/);
      }
    });

    it('shows the national board the statistics, and takes an intake with the seeded API key', async () => {
      const board = await login(app, db, seed.users.board_viewer.username, seed.password);
      expect((await send(app, board, { url: '/statistics' })).statusCode).toBe(200);
      const intake = await app.inject({
        method: 'POST',
        url: '/api/v1/intakes',
        headers: { authorization: `Bearer ${seed.apiKey}`, 'idempotency-key': randomUUID() },
        payload: {
          medium: 'phone',
          child: { name: 'Nguyễn Văn Thử', estimatedAge: 9, sex: 'male' },
          residenceCommuneId: seed.orgs.commune,
          description: 'Dữ liệu kiểm thử.',
          immediateDanger: false,
          categories: ['abuse_neglect'],
          reporter: { consented: false },
        },
      });
      expect(intake.statusCode, intake.body).toBe(201);
      expect(verifyAuditChain(db).ok).toBe(true);
    });
  });
});
