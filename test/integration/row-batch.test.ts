import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RowBatch } from '../../src/db/row-batch.js';
import { freshDatabase, removeDatabase, type TestDatabase } from '../helpers/db.js';

describe('RowBatch', () => {
  let database: TestDatabase;
  beforeEach(() => {
    database = freshDatabase();
    database.db.$client.exec('CREATE TABLE batched (id INTEGER PRIMARY KEY, label TEXT NOT NULL, n INTEGER NOT NULL)');
  });
  afterEach(() => removeDatabase(database));

  const rows = (): { id: number; label: string; n: number }[] => database.db.$client.prepare('SELECT id, label, n FROM batched ORDER BY id').all() as never;

  it('writes full batches as they fill and the rest on flush, every row in order', () => {
    const batch = new RowBatch(database.db.$client, 'batched', ['id', 'label', 'n']);
    for (let id = 1; id <= 150; id += 1) batch.add(id, `nhãn ${id}`, id * 2);
    // Two batches of 64 are in; the last 22 wait for flush.
    expect(rows()).toHaveLength(128);
    batch.flush();
    expect(rows()).toHaveLength(150);
    expect(rows()[149]).toEqual({ id: 150, label: 'nhãn 150', n: 300 });
    batch.flush();
    expect(rows()).toHaveLength(150);
  });

  it('applies its conflict clause to each row of a batch', () => {
    const batch = new RowBatch(database.db.$client, 'batched', ['id', 'label', 'n'], 'ON CONFLICT (id) DO UPDATE SET n = n + excluded.n');
    for (let id = 1; id <= 70; id += 1) batch.add(id, 'a', 1);
    batch.flush();
    for (let id = 1; id <= 70; id += 1) batch.add(id, 'a', 10);
    batch.flush();
    expect(new Set(rows().map((row) => row.n))).toEqual(new Set([11]));
  });

  it('rolls back with its transaction like any insert: a constraint error in a batch leaves nothing half-written', () => {
    const client = database.db.$client;
    const batch = new RowBatch(client, 'batched', ['id', 'label', 'n']);
    expect(() =>
      client.transaction(() => {
        for (let id = 1; id <= 63; id += 1) batch.add(id, 'a', 1);
        batch.add(1, 'duplicate', 1);
      })(),
    ).toThrow(/UNIQUE/);
    expect(rows()).toEqual([]);
  });
});
