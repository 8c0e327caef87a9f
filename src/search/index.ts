/**
 * Full-text search over cases: the FTS5 table case_search (migration 0005), one row per case with
 * rowid = case id, holding FOLDED text so "Nguyễn Văn An", "nguyen van an" and "NGUYỄN VĂN AN" are
 * the same words (FTS5's own diacritic removal leaves đ alone), and the same words again as its
 * organisation's own (src/search/match.ts). The table keeps no copy of the text (migration 0010): it
 * says which cases match, and their words cannot be read back out. Writers that change searchable
 * text call reindexCase inside their own write transaction, so the index never lags the record.
 */
import { sql, type SQL } from 'drizzle-orm';
import { preparedStatements, writeTransaction, type Db, type DbOrTx } from '../db/client.js';
import { limitRows } from '../db/paging.js';
import { readerOnThisThread, type Reader } from '../db/reader.js';
import { foldVietnamese } from '../text/fold.js';
import { localColumns, matchQueries, queryWords } from './match.js';

/** The distinct non-empty parts, folded, one per line: how case_search indexes names and body text. */
export function folded(parts: readonly (string | null | undefined)[]): string {
  const unique = [...new Set(parts.filter((part): part is string => Boolean(part && part.trim())).map(foldVietnamese))];
  return unique.join('\n');
}

/** Every intake and every note reindexes a case, so its statements are prepared once per connection. */
const indexStatements = preparedStatements((client) => ({
  remove: client.prepare<[number]>('DELETE FROM case_search WHERE rowid = ?'),
  source: client.prepare<[number],
    { reference: string; orgId: number; childName: string | null; intakeName: string | null; description: string | null; condition: string | null }>(`
    SELECT cases.reference, cases.org_id AS orgId, children.full_name AS childName, intakes.child_name AS intakeName,
           intakes.description, intakes.current_condition AS condition
    FROM cases
    LEFT JOIN children ON children.id = cases.child_id
    LEFT JOIN intakes ON intakes.case_id = cases.id
    WHERE cases.id = ?`),
  notes: client.prepare<[number], string>('SELECT text FROM case_notes WHERE case_id = ? AND confidential = 0 ORDER BY id').pluck(),
  goals: client.prepare<[number], string>('SELECT goals FROM plans WHERE case_id = ? ORDER BY version').pluck(),
  insert: client.prepare<[number, string, string, string, string, string]>(
    'INSERT INTO case_search (rowid, reference, names, body, local_names, local_body) VALUES (?, ?, ?, ?, ?, ?)',
  ),
}));

/**
 * Rebuilds one case's row: its reference; the child's names (as reported at intake and as on the
 * linked child record); the case's text (the report, the child's condition, non-confidential notes
 * and the plan's goals); and its organisation, which changes when the case is transferred.
 * Confidential notes stay out: a search must not reveal what only the assigned worker and
 * supervisors may read.
 */
export function reindexCase(tx: DbOrTx, caseId: number): void {
  const statements = indexStatements(tx);
  statements.remove.run(caseId);
  const row = statements.source.get(caseId);
  if (!row) return;
  const texts = [row.description, row.condition, ...statements.notes.all(caseId), ...statements.goals.all(caseId)];
  const reference = foldVietnamese(row.reference);
  const names = folded([row.intakeName, row.childName]);
  const body = folded(texts);
  statements.insert.run(caseId, reference, names, body, ...localColumns(row.orgId, reference, names, body));
}

/** Rebuilds the whole index, e.g. after seeding data written around the services. Returns the number of cases. */
export function rebuildSearchIndex(db: Db): number {
  return writeTransaction(db, (tx) => {
    tx.run(sql`DELETE FROM case_search`);
    const ids = tx.all<{ id: number }>(sql`SELECT id FROM cases ORDER BY id`);
    for (const { id } of ids) reindexCase(tx, id);
    return ids.length;
  });
}

export interface SearchRow {
  id: number;
  reference: string;
  state: string;
  childName: string | null;
  communeName: string;
}

/** Those of `organisations` (a SELECT of ids as "id") that hold a case: a province's schools and offices never do. */
function organisationsWithCases(db: DbOrTx, organisations: SQL): number[] {
  return db
    .all<{ id: number }>(sql`SELECT o.id FROM (${organisations}) AS o WHERE EXISTS (SELECT 1 FROM cases WHERE cases.org_id = o.id)`)
    .map((row) => row.id);
}

/**
 * Up to this many organisations, a search runs on the web thread: a commune's search takes about a
 * millisecond, and on the reader's thread it would wait behind a province's (decision 0026).
 */
const WEB_THREAD_MAX_ORGS = 8;

/**
 * Cases matching `text` that `scope` (the 'case.read' rules for the actor, over the "cases" columns)
 * lets through: the filter is in the same query, so out-of-scope cases are never read, counted or
 * ordered. Cases whose reference or names hold every word come first, then those that need the
 * report's words too; newest first within each. `readable`, when given, are the only organisations
 * whose cases the rules could let through (readableOrganisations in src/permissions/check.ts): the
 * full-text index narrows to those of them that hold cases before the rules run. Null when `text`
 * has no words. A search over more organisations than a few, or the whole country, runs on the
 * reader's thread: a province's short prefix reads tens of thousands of matches.
 */
export async function searchCases(
  db: Db,
  reader: Reader,
  text: string,
  scope: SQL,
  page: { limit: number; offset: number; readable?: SQL | null },
): Promise<{ rows: SearchRow[]; total: number } | null> {
  const words = queryWords(text);
  if (words === null) return null;
  const within = page.readable ? organisationsWithCases(db, page.readable) : null;
  if (within?.length === 0) return { rows: [], total: 0 };
  const run = within !== null && within.length <= WEB_THREAD_MAX_ORGS ? readerOnThisThread(db) : reader;
  // Each list is one JSON array, so one statement serves one organisation or hundreds.
  const anywhere = JSON.stringify(matchQueries('anywhere', words, within));
  // Not bm25(): it weighs each word by how rare it is in the whole country's index, and counting a
  // common name's cases nationally costs more than the rest of the search together.
  const byName = JSON.stringify(matchQueries('names', words, within));
  // A case holds the local words of its own organisation only, so no case matches two expressions.
  const matching = (queries: string) => sql`json_each(${queries}) AS query CROSS JOIN case_search ON case_search MATCH query.value`;
  // The total comes from the same pass (a second count query would run the match again).
  // The page is cut before the names are joined on: a common name in a province matches thousands of cases.
  const found = await run.all<SearchRow & { total: number }>(sql`
    SELECT hit.id, cases.reference, cases.state, coalesce(children.full_name, intakes.child_name) AS childName,
           organisations.name AS communeName, hit.total
    FROM (
      SELECT cases.id, cases.received_at AS receivedAt, count(*) OVER () AS total,
             case_search.rowid IN (SELECT case_search.rowid FROM ${matching(byName)}) AS named
      FROM ${matching(anywhere)} JOIN cases ON cases.id = case_search.rowid
      WHERE ${scope}
      ORDER BY named DESC, receivedAt DESC, cases.id DESC
      ${limitRows(page.limit, page.offset)}) AS hit
    JOIN cases ON cases.id = hit.id
    JOIN organisations ON organisations.id = cases.org_id
    LEFT JOIN children ON children.id = cases.child_id
    LEFT JOIN intakes ON intakes.case_id = cases.id
    ORDER BY hit.named DESC, hit.receivedAt DESC, hit.id DESC`);
  if (found.length > 0 || page.offset === 0) return { rows: found.map(({ total: _total, ...row }) => row), total: found[0]?.total ?? 0 };
  // A page past the end has no row to carry the total.
  const [counted] = await run.all<{ total: number }>(sql`
    SELECT count(*) AS total FROM ${matching(anywhere)} JOIN cases ON cases.id = case_search.rowid WHERE ${scope}`);
  return { rows: [], total: counted?.total ?? 0 };
}
