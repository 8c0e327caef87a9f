import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../src/db/group-commit.js';
import { freshDatabase, removeDatabase, type TestDatabase } from '../helpers/db.js';

describe('group commit', () => {
  let database: TestDatabase;
  /** A second connection: it sees only what has been committed. */
  let reader: Database.Database;

  beforeEach(() => {
    database = freshDatabase();
    database.db.$client.exec(`
      CREATE TABLE gc_parent (id INTEGER PRIMARY KEY);
      CREATE TABLE gc_row (id INTEGER PRIMARY KEY, label TEXT NOT NULL,
        parent_id INTEGER REFERENCES gc_parent (id) DEFERRABLE INITIALLY DEFERRED);`);
    reader = new Database(database.file, { readonly: true });
  });
  afterEach(() => {
    reader.close();
    removeDatabase(database);
  });

  const committedLabels = (): string[] => reader.prepare('SELECT label FROM gc_row ORDER BY id').pluck().all() as string[];

  it('runs the writes queued in one turn of the event loop in one transaction, in order, and commits them together', async () => {
    const groupCommit = createGroupCommit(database.db);
    const seen: { own: number; committed: number }[] = [];
    const labels = ['a', 'b', 'c', 'd', 'e'];
    const results = labels.map((label) =>
      groupCommit.run((tx) => {
        tx.run(sql`INSERT INTO gc_row (label) VALUES (${label})`);
        seen.push({ own: tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM gc_row`).n, committed: committedLabels().length });
        return label.toUpperCase();
      }),
    );
    expect(await Promise.all(results)).toEqual(['A', 'B', 'C', 'D', 'E']);
    // Each write saw the ones before it, and nothing of the batch was visible outside until the end.
    expect(seen).toEqual(labels.map((_label, index) => ({ own: index + 1, committed: 0 })));
    expect(committedLabels()).toEqual(labels);
  });

  it('settles a write only after the COMMIT, never before', async () => {
    const groupCommit = createGroupCommit(database.db);
    let ran = false;
    const done = groupCommit.run((tx) => {
      ran = true;
      tx.run(sql`INSERT INTO gc_row (label) VALUES ('durable')`);
    });
    expect(ran).toBe(false);
    await done.then(() => expect(committedLabels()).toEqual(['durable']));
  });

  it('rolls back only the write that failed; the others of the batch are committed', async () => {
    const groupCommit = createGroupCommit(database.db);
    const write = (label: string, fail = false) =>
      groupCommit.run((tx) => {
        tx.run(sql`INSERT INTO gc_row (label) VALUES (${label})`);
        if (fail) throw new Error(`refused ${label}`);
        return label;
      });
    const outcomes = await Promise.allSettled([write('first'), write('broken', true), write('third')]);
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 'first' },
      { status: 'rejected', reason: new Error('refused broken') },
      { status: 'fulfilled', value: 'third' },
    ]);
    expect(committedLabels()).toEqual(['first', 'third']);
  });

  it('rejects every write of the batch, and stores none, when the COMMIT fails', async () => {
    const groupCommit = createGroupCommit(database.db);
    // The deferred foreign key is only checked at COMMIT, after every savepoint was released.
    const outcomes = await Promise.allSettled([
      groupCommit.run((tx) => tx.run(sql`INSERT INTO gc_row (label) VALUES ('innocent')`)),
      groupCommit.run((tx) => tx.run(sql`INSERT INTO gc_row (label, parent_id) VALUES ('orphan', 42)`)),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(committedLabels()).toEqual([]);
    expect(database.db.$client.inTransaction).toBe(false);
  });

  it('splits a long queue into batches of at most maxBatch', async () => {
    const groupCommit = createGroupCommit(database.db, { maxBatch: 2 });
    const committedBefore = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((label) =>
        groupCommit.run((tx) => {
          tx.run(sql`INSERT INTO gc_row (label) VALUES (${label})`);
          return committedLabels().length;
        }),
      ),
    );
    expect(committedBefore).toEqual([0, 0, 2, 2, 4]);
    expect(committedLabels()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
