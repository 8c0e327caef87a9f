import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { integer, sqliteTable, SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { limitRows, rowLimit } from '../../src/db/paging.js';

const dialect = new SQLiteSyncDialect();
const numbers = sqliteTable('numbers', { n: integer('n').primaryKey() });

function database() {
  const client = new Database(':memory:');
  client.exec('CREATE TABLE numbers (n INTEGER PRIMARY KEY)');
  const insert = client.prepare('INSERT INTO numbers (n) VALUES (?)');
  for (let n = 1; n <= 50; n++) insert.run(n);
  return drizzle(client);
}

describe('row limits written into the statement', () => {
  it('writes the limit as text and binds the offset', () => {
    const db = database();
    const query = sql`SELECT n FROM numbers ORDER BY n ${limitRows(3, 10)}`;
    expect(dialect.sqlToQuery(query)).toMatchObject({ sql: 'SELECT n FROM numbers ORDER BY n LIMIT 3 OFFSET ?', params: [10] });
    expect(db.all(query)).toEqual([{ n: 11 }, { n: 12 }, { n: 13 }]);
    expect(dialect.sqlToQuery(sql`SELECT n FROM numbers ${limitRows(0)}`).sql).toBe('SELECT n FROM numbers LIMIT 0');
  });

  it("writes the query builder's limit as text", () => {
    const db = database();
    const query = db.select().from(numbers).orderBy(numbers.n).limit(rowLimit(2)).offset(5);
    expect(query.toSQL()).toEqual({ sql: 'select "n" from "numbers" order by "numbers"."n" limit 2 offset ?', params: [5] });
    expect(query.all()).toEqual([{ n: 6 }, { n: 7 }]);
  });

  it('takes a negative limit as none, as SQLite does', () => {
    expect(database().all(sql`SELECT n FROM numbers ${limitRows(-1, 48)}`)).toEqual([{ n: 49 }, { n: 50 }]);
  });

  it('refuses anything but an integer', () => {
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      expect(() => limitRows(bad)).toThrow(RangeError);
      expect(() => rowLimit(bad)).toThrow(RangeError);
    }
  });
});
