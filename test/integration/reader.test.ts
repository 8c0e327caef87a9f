import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createReader, type Reader } from '../../src/db/reader.js';
import { freshDatabase, removeDatabase, type TestDatabase } from '../helpers/db.js';

// A tenth of a second or so of SQLite work, whatever the data: long enough to still be running when
// the web thread's next turn comes, if it runs elsewhere.
const LONG_READ = sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) SELECT count(*) AS count FROM n`;

describe('long reads on a thread of their own', () => {
  let database: TestDatabase;
  let reader: Reader;
  const log = { error: vi.fn() } as unknown as FastifyBaseLogger;
  beforeEach(() => {
    database = freshDatabase();
    reader = createReader(database.db, log);
  });
  afterEach(async () => {
    await reader.close();
    removeDatabase(database);
  });

  it('sees what the web thread committed, with the values bound as drizzle binds them', async () => {
    database.db.$client.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO t (name) VALUES ('Lê Thị Hoa'), ('Trần An')");
    expect(await reader.all(sql`SELECT id, name FROM t WHERE name LIKE ${'Trần%'} ORDER BY id`)).toEqual([{ id: 2, name: 'Trần An' }]);
    database.db.$client.prepare("INSERT INTO t (name) VALUES ('Trần Bình')").run();
    expect(await reader.all(sql`SELECT name FROM t WHERE id IN (${2}, ${3}) ORDER BY id`)).toEqual([{ name: 'Trần An' }, { name: 'Trần Bình' }]);
  });

  it('lets the web thread go on while a statement runs', async () => {
    const order: string[] = [];
    const read = reader.all<{ count: number }>(LONG_READ).then((rows) => order.push(`read ${rows[0]?.count}`));
    await new Promise((resolve) => setTimeout(resolve, 0));
    order.push('web thread');
    await read;
    expect(order).toEqual(['web thread', 'read 1000000']);
  });

  it('fails a statement by the error\'s name only, and goes on serving the next', async () => {
    await expect(reader.all(sql`SELECT * FROM no_such_table WHERE secret = ${'Nguyễn Văn An'}`)).rejects.toThrow(/^read failed: SqliteError$/);
    expect(await reader.all(sql`SELECT ${1} + ${2} AS sum`)).toEqual([{ sum: 3 }]);
    expect(log.error).not.toHaveBeenCalled();
  });

  it('cannot write', async () => {
    await expect(reader.all(sql`DELETE FROM users`)).rejects.toThrow(/^read failed/);
  });

  it('runs on the calling thread for a database in memory, which no second connection can open', async () => {
    const inMemory = openDatabase(':memory:');
    const local = createReader(inMemory, log);
    try {
      expect(await local.all(sql`SELECT ${'Lê Thị Hoa'} AS name`)).toEqual([{ name: 'Lê Thị Hoa' }]);
    } finally {
      await local.close();
      inMemory.$client.close();
    }
  });
});
