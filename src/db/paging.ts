/**
 * Row limits written into a statement's text rather than bound. SQLite reads a bound LIMIT's value
 * while it plans a statement, and so marks the statement to be planned again whenever that parameter
 * is bound: a statement with `LIMIT ?` is parsed and planned afresh on every run, however often it
 * has been prepared. For the worklists' long statements, with the permission rules in them, that was
 * 13 % of the server's CPU under the worklist benchmark (docs/decisions/0021). An OFFSET is not read
 * while planning, so it stays bound, and one statement serves every page. Only integers are written,
 * so the text can carry nothing else; a negative limit is none, as SQLite reads it.
 */
import { sql, type Placeholder, type SQL } from 'drizzle-orm';

function rowCount(limit: number): string {
  if (!Number.isSafeInteger(limit)) throw new RangeError('a row limit must be an integer');
  return String(limit);
}

/** `LIMIT n`, and `OFFSET ?` when given, for sql`` statements. */
export function limitRows(limit: number, offset?: number): SQL {
  const clause = sql.raw(`LIMIT ${rowCount(limit)}`);
  return offset === undefined ? clause : sql`${clause} OFFSET ${offset}`;
}

/** The limit for drizzle's query builder, whose `.limit(n)` binds `n`; it writes an SQL chunk in as it is. */
export function rowLimit(limit: number): Placeholder {
  // The builder's types name numbers and placeholders only, though it takes any SQL chunk.
  return sql.raw(rowCount(limit)) as unknown as Placeholder;
}
