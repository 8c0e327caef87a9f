// Case search: folded full-text matching (with or without diacritics, any case), references, the
// permission rules applied in SQL, safe query syntax, and an audit entry that never holds the query.
import fs from 'node:fs';
import path from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { findCase } from '../../src/cases/repository.js';
import { applyCaseEvent } from '../../src/cases/service.js';
import { MIGRATIONS_DIR, runMigrations, writeTransaction } from '../../src/db/client.js';
import { createIntake } from '../../src/intake/service.js';
import { folded, rebuildSearchIndex, searchCases } from '../../src/search/index.js';
import { matchQueries, queryWords } from '../../src/search/match.js';
import { foldVietnamese } from '../../src/text/fold.js';
import { linkChild } from '../../src/triage/child-link.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

let t: TestApp;
let orgs: TestOrgs;

function openCase(name: string, orgId: number, over: { description?: string; categories?: string[] } = {}): { id: number; reference: string } {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'hotline',
      medium: 'phone',
      receivedAt: new Date().toISOString(),
      sourceOrgId: orgs.hotline,
      child: { name, estimatedAge: 10, sex: 'male' },
      residenceOrgId: orgId,
      description: over.description ?? 'Cháu bị bỏ mặc, không ai chăm sóc.',
      immediateDanger: false,
      categories: over.categories ?? ['abuse_violence_physical'],
      reporter: { consented: false },
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return { id: opened.caseId, reference: opened.reference };
}

/** Given organisations as the SELECT of ids that readableOrganisations (src/permissions/check.ts) makes. */
function organisations(ids: number[]): SQL {
  return sql`SELECT id FROM organisations WHERE id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`;
}

function search(browser: Browser, q: string, extra = ''): Promise<{ statusCode: number; body: string }> {
  return send(t.app, browser, { url: `/search?q=${encodeURIComponent(q)}${extra}` });
}

/** The result rows' case links, from the results table only. */
function resultIds(html: string): number[] {
  const start = html.indexOf('<table class="queue search-results">');
  if (start < 0) return [];
  return [...html.slice(start, html.indexOf('</table>', start)).matchAll(/href="\/cases\/(\d+)"/g)].map((match) => Number(match[1]));
}

describe('case search', () => {
  let worker: Browser;
  let an: { id: number; reference: string };
  let anElsewhere: { id: number; reference: string };

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    await seedUser(t.db, 'canbo2.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    await seedUser(t.db, 'giaovien', [{ role: 'teacher', orgId: orgs.schoolA }]);
    an = openCase('Nguyễn Văn An', orgs.communeA, { description: 'Cháu đi làm thuê ở xưởng đồ gỗ đến khuya.' });
    anElsewhere = openCase('Nguyễn Văn An', orgs.communeB);
    openCase('Trần Thị Bình', orgs.communeA);
    worker = await login(t.app, t.db, 'canbo.a');
  });
  afterEach(async () => t.close());

  it('finds a child whatever the diacritics and letter case', async () => {
    for (const q of ['Nguyen Van An', 'nguyễn văn an', 'NGUYỄN VĂN AN', 'nguyen van a']) {
      const page = await search(worker, q);
      expect(page.statusCode, q).toBe(200);
      expect(resultIds(page.body), q).toEqual([an.id]);
    }
    const page = await search(worker, 'nguyen van an');
    expect(page.body).toContain('Nguyễn Văn An');
    expect(page.body).toContain('Xã An Bình');
    expect(page.body).toContain('Mới tiếp nhận');
    expect(page.body).toContain(an.reference);
  });

  it('finds đ as d, and words of the report', async () => {
    const dat = openCase('Lê Tiến Đạt', orgs.communeA);
    expect(resultIds((await search(worker, 'le tien dat')).body)).toEqual([dat.id]);
    expect(resultIds((await search(worker, 'xuong do go')).body)).toEqual([an.id]);
  });

  it('lists cases named by the words before cases that only mention them, newest first within each', async () => {
    // Newer than An's case, with "an" only in the report.
    const mentions = openCase('Lò Thị Mai', orgs.communeA, { description: 'Cháu ở cùng ông bà, bố mẹ đi làm xa; hàng xóm gọi cháu là An.' });
    const namesake = openCase('Phạm Văn An', orgs.communeA);
    expect(resultIds((await search(worker, 'an')).body)).toEqual([namesake.id, an.id, mentions.id]);
  });

  it('finds a case by its full reference or by the number alone', async () => {
    expect(resultIds((await search(worker, an.reference)).body)).toEqual([an.id]);
    expect(resultIds((await search(worker, an.reference.slice(-6))).body)).toEqual([an.id]);
  });

  it('never returns out-of-scope cases: another commune, or a sensitive case assigned to someone else', async () => {
    const secret = openCase('Nguyễn Văn An', orgs.communeA, { categories: ['abuse_sexual'] });
    const other = await login(t.app, t.db, 'canbo2.a');
    t.db.$client.prepare('UPDATE cases SET assigned_user_id = (SELECT id FROM users WHERE username = ?) WHERE id = ?').run('canbo2.a', secret.id);
    const page = await search(worker, 'Nguyễn Văn An');
    expect(resultIds(page.body)).toEqual([an.id]);
    expect(page.body).toContain('Tìm thấy 1 trường hợp');
    expect(page.body).not.toContain(anElsewhere.reference);
    expect(resultIds((await search(worker, anElsewhere.reference)).body)).toEqual([]);
    expect(resultIds((await search(other, 'Nguyễn Văn An')).body).sort()).toEqual([an.id, secret.id].sort());
  });

  it('audits each search without the query text', async () => {
    await search(worker, 'Nguyễn Văn An');
    const entries = auditActions(t.db).filter((entry) => entry.action === 'case.search');
    expect(entries).toEqual([{ action: 'case.search', outcome: 'allowed', entity_type: null, entity_id: null }]);
    // No column of any audit row holds the query, folded or not.
    const rows = t.db.$client.prepare('SELECT * FROM audit_log').all() as Record<string, unknown>[];
    for (const row of rows) {
      for (const value of Object.values(row)) {
        expect(String(value).toLowerCase()).not.toContain('nguy');
        expect(String(value).toLowerCase()).not.toContain('van an');
      }
    }
  });

  it('answers an empty or punctuation-only query with a hint, not an error, and runs no search', async () => {
    const before = auditActions(t.db).filter((entry) => entry.action === 'case.search').length;
    const empty = await search(worker, '');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).not.toContain('Vui lòng nhập họ tên');
    const punctuation = await search(worker, '"*()^:-');
    expect(punctuation.statusCode).toBe(200);
    expect(punctuation.body).toContain('Vui lòng nhập họ tên, mã trường hợp hoặc từ khóa có chữ hoặc số.');
    expect(auditActions(t.db).filter((entry) => entry.action === 'case.search').length).toBe(before);
  });

  it('treats FTS5 syntax as plain words', async () => {
    for (const q of ['an OR binh', 'names:an', 'NEAR(an binh)', '"an', 'an*', 'an AND NOT']) {
      const page = await search(worker, q);
      expect(page.statusCode, q).toBe(200);
    }
    expect(matchQueries('anywhere', queryWords('Nguyễn Văn An') ?? [], null)).toEqual(['{reference names body} : ("nguyen" "van" "an"*)']);
    expect(matchQueries('names', queryWords('names:an OR "x') ?? [], null)).toEqual(['{reference names} : ("names" "an" "or" "x"*)']);
    // The organisation column is not searchable by typing its tokens.
    expect(resultIds((await search(worker, `o${orgs.communeA}`)).body)).toEqual([]);
    expect(queryWords(' -- ')).toBeNull();
  });

  it('is refused to roles that do not read cases, and offered in the header to those who do', async () => {
    const teacher = await login(t.app, t.db, 'giaovien');
    expect((await search(teacher, 'an')).statusCode).toBe(403);
    expect((await send(t.app, teacher, { url: '/' })).body).not.toContain('action="/search"');
    expect((await send(t.app, worker, { url: '/' })).body).toContain('action="/search"');
  });

  it('paginates 25 results a page', async () => {
    for (let n = 0; n < 26; n += 1) openCase(`Phan Văn Trang ${n}`, orgs.communeA);
    const first = await search(worker, 'phan van trang');
    expect(resultIds(first.body)).toHaveLength(25);
    expect(first.body).toContain('Tìm thấy 26 trường hợp');
    expect(first.body).toContain('href="/search?q=phan%20van%20trang&amp;page=2"');
    const second = await search(worker, 'phan van trang', '&page=2');
    expect(resultIds(second.body)).toHaveLength(1);
    expect(second.body).toContain('Tìm thấy 26 trường hợp');
    // Past the last page: no rows, and still the total.
    expect(await searchCases(t.db, t.app.reader, 'phan van trang', sql`1`, { limit: 25, offset: 50 })).toEqual({ rows: [], total: 26 });
  });

  it('keeps the index in step when a case is linked to a child record, and can be rebuilt', async () => {
    const row = findCase(t.db, an.id)!;
    const userId = (t.db.$client.prepare("SELECT id FROM users WHERE username = 'canbo.a'").get() as { id: number }).id;
    const childId = Number(
      t.db.$client
        .prepare("INSERT INTO children (full_name, name_folded, residence_org_id) VALUES ('Nguyễn Văn Anh Tuấn', 'nguyen van anh tuan', ?)")
        .run(orgs.communeA).lastInsertRowid,
    );
    expect((await searchCases(t.db, t.app.reader, 'anh tuan', sql`1`, { limit: 10, offset: 0 }))?.rows).toEqual([]);
    linkChild(t.db, { actor: { userId, assignmentId: 1, role: 'commune_worker', orgId: orgs.communeA }, audit: SYSTEM_AUDIT_CONTEXT }, row, childId, row.rowVersion);
    expect((await searchCases(t.db, t.app.reader, 'anh tuan', sql`1`, { limit: 10, offset: 0 }))?.rows.map((found) => found.id)).toEqual([an.id]);
    // The intake's name stays searchable beside the linked record's.
    expect(resultIds((await search(worker, 'nguyen van an')).body)).toEqual([an.id]);

    t.db.$client.prepare('DELETE FROM case_search').run();
    expect(rebuildSearchIndex(t.db)).toBe(3);
    expect((await searchCases(t.db, t.app.reader, 'tran thi binh', sql`1`, { limit: 10, offset: 0 }))?.total).toBe(1);
    expect((await searchCases(t.db, t.app.reader, 'anh tuan', sql`1`, { limit: 10, offset: 0 }))?.total).toBe(1);
  });

  it('finds the same cases through a few organisations\' own words as through the national words and the rules', async () => {
    openCase('Nguyễn Văn Anh', orgs.communeB, { description: 'Ở với bà ngoại.' });
    openCase('Nguyễn Văn Ân', orgs.communeA);
    const ids = (found: { rows: { id: number }[] } | null): number[] => found?.rows.map((row) => row.id) ?? [];
    const local = async (q: string, within: number[]): Promise<number[]> =>
      ids(await searchCases(t.db, t.app.reader, q, sql`1`, { limit: 25, offset: 0, readable: organisations(within) }));
    // No organisations given: the national words, narrowed by the rules alone.
    const national = async (q: string, within: number[]): Promise<number[]> =>
      ids(await searchCases(t.db, t.app.reader, q, sql`cases.org_id IN (${sql.join(within.map((id) => sql`${id}`), sql`, `)})`, { limit: 25, offset: 0 }));
    for (const q of ['nguyen van an', 'nguyen van a', 'van', 'ba ngoai', 'xuong do go', an.reference, an.reference.slice(0, -2)]) {
      for (const within of [[orgs.communeA], [orgs.communeB], [orgs.communeA, orgs.communeB]]) {
        expect(await local(q, within), `${q} in ${within.join(', ')}`).toEqual(await national(q, within));
      }
    }
    expect(await local('nguyen van a', [orgs.communeA, orgs.communeB])).toHaveLength(4);
    expect(await local('ba ngoai', [orgs.communeA])).toEqual([]);
    // Organisations without cases (a province, a school) are left out of the query, not searched.
    expect(await local('nguyen van an', [orgs.province, orgs.schoolA, orgs.communeA])).toEqual(await national('nguyen van an', [orgs.communeA]));
    expect(await local('nguyen van an', [orgs.province, orgs.schoolA, orgs.communeA])).toContain(an.id);
    expect(await local('nguyen van an', [orgs.schoolA])).toEqual([]);
  });

  it('searches a social work centre\'s accepted referrals, wherever the cases are filed', async () => {
    const userId = await seedUser(t.db, 'ctxh', [{ role: 'social_worker', orgId: orgs.socialWorkCentre }]);
    const socialWorker = await login(t.app, t.db, 'ctxh');
    expect(resultIds((await search(socialWorker, 'nguyen van an')).body)).toEqual([]);
    const refer = t.db.$client.prepare("INSERT INTO referrals (case_id, to_org_id, reason, consent, status, created_by) VALUES (?, ?, 'Tư vấn', 'guardian', ?, ?)");
    refer.run(anElsewhere.id, orgs.socialWorkCentre, 'accepted', userId);
    // Pending: not the centre's yet.
    refer.run(an.id, orgs.socialWorkCentre, 'pending', userId);
    expect(resultIds((await search(socialWorker, 'nguyen van an')).body)).toEqual([anElsewhere.id]);
    expect(resultIds((await search(socialWorker, 'tran thi binh')).body)).toEqual([]);
  });

  it('gives cases indexed before migrations 0009 and 0010 their organisations\' own words, and keeps no copy of the text', async () => {
    const client = t.db.$client;
    // The index as migration 0008 left it (with its text and the org column), and 0009 and later not yet applied.
    const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
    const since = journal.entries.find((entry) => entry.tag.startsWith('0009_'))?.when;
    client.exec(`DROP TABLE case_search;
      CREATE VIRTUAL TABLE case_search USING fts5(reference, names, body, org, tokenize = 'unicode61');
      DELETE FROM __drizzle_migrations WHERE created_at >= ${Number(since)};`);
    const sources = client
      .prepare('SELECT cases.id, cases.reference, cases.org_id AS orgId, intakes.child_name AS name, intakes.description FROM cases JOIN intakes ON intakes.case_id = cases.id')
      .all() as { id: number; reference: string; orgId: number; name: string; description: string }[];
    const insert = client.prepare('INSERT INTO case_search (rowid, reference, names, body, org) VALUES (?, ?, ?, ?, ?)');
    for (const row of sources) insert.run(row.id, foldVietnamese(row.reference), folded([row.name]), folded([row.description]), `o${row.orgId}`);
    runMigrations(t.db);
    const hasWord = (column: string, word: string): number[] =>
      client.prepare('SELECT rowid FROM case_search WHERE case_search MATCH ? ORDER BY rowid').pluck().all(`{${column}} : "${word}"`) as number[];
    expect(hasWord('local_names', `o${orgs.communeA}xnguyen`)).toEqual([an.id]);
    expect(hasWord('local_body', `o${orgs.communeA}xxuong`)).toEqual([an.id]);
    expect(hasWord('names', 'nguyen')).toEqual([an.id, anElsewhere.id]);
    expect((await searchCases(t.db, t.app.reader, 'nguyen van an', sql`1`, { limit: 10, offset: 0, readable: organisations([orgs.communeA]) }))?.rows.map((row) => row.id)).toEqual([an.id]);
    expect((await searchCases(t.db, t.app.reader, an.reference, sql`1`, { limit: 10, offset: 0, readable: organisations([orgs.communeA]) }))?.rows.map((row) => row.id)).toEqual([an.id]);
    // Nothing to read back, and no org column.
    expect(client.prepare('SELECT names FROM case_search WHERE rowid = ?').pluck().get(an.id)).toBeNull();
    expect(() => hasWord('org', `o${orgs.communeA}`)).toThrow();
  });

  it('narrows in the full-text index to the reader\'s organisations, and follows a case transferred to another commune', async () => {
    await seedUser(t.db, 'canbo.b', [{ role: 'commune_worker', orgId: orgs.communeB }]);
    await seedUser(t.db, 'giamsat', [{ role: 'supervisor', orgId: orgs.province }]);
    const workerB = await login(t.app, t.db, 'canbo.b');
    const supervisor = await login(t.app, t.db, 'giamsat');
    const filedAt = (caseId: number, orgId: number): boolean =>
      // The rowid bound as an integer: FTS5 ignores a rowid constraint bound as a JS number (a REAL).
      t.db.$client.prepare('SELECT 1 FROM case_search WHERE case_search MATCH ? AND rowid = ?').get(`{local_names} : "o${orgId}xnguyen"`, BigInt(caseId)) !== undefined;
    expect([filedAt(an.id, orgs.communeA), filedAt(an.id, orgs.communeB)]).toEqual([true, false]);
    // The narrowing is the index's own: with rules that let everything through, only the given organisations' cases come back.
    expect((await searchCases(t.db, t.app.reader, 'nguyen van an', sql`1`, { limit: 10, offset: 0, readable: organisations([orgs.communeB]) }))?.rows.map((row) => row.id)).toEqual([anElsewhere.id]);
    expect((await searchCases(t.db, t.app.reader, 'nguyen van an', sql`1`, { limit: 10, offset: 0, readable: organisations([]) }))?.rows).toEqual([]);
    expect(resultIds((await search(workerB, 'nguyen van an')).body)).toEqual([anElsewhere.id]);
    // The province's supervisor reads both communes: their subtree, not only their own organisation.
    expect(resultIds((await search(supervisor, 'nguyen van an')).body).sort()).toEqual([an.id, anElsewhere.id].sort());

    const userId = (t.db.$client.prepare("SELECT id FROM users WHERE username = 'canbo.a'").get() as { id: number }).id;
    const actorA = { userId, assignmentId: 1, role: 'commune_worker' as const, orgId: orgs.communeA };
    const transferred = applyCaseEvent(t.db, t.app.orgRelations, { actor: actorA, audit: SYSTEM_AUDIT_CONTEXT }, an.id, { type: 'TRANSFER', toOrgId: orgs.communeB });
    expect(transferred.ok).toBe(true);
    expect([filedAt(an.id, orgs.communeA), filedAt(an.id, orgs.communeB)]).toEqual([false, true]);
    expect(resultIds((await search(workerB, 'nguyen van an')).body).sort()).toEqual([an.id, anElsewhere.id].sort());
    expect(resultIds((await search(worker, 'nguyen van an')).body)).toEqual([]);
  });
});
