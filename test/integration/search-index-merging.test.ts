import type { FastifyBaseLogger } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSearchIndexMerger } from '../../src/search/index-merging.js';
import { freshDatabase, removeDatabase, type TestDatabase } from '../helpers/db.js';

describe('keeping the search index in few segments', () => {
  let database: TestDatabase;
  const log = { error: vi.fn() } as unknown as FastifyBaseLogger;
  beforeEach(() => {
    database = freshDatabase();
  });
  afterEach(() => removeDatabase(database));

  const segments = (): number => database.db.$client.prepare('SELECT count(DISTINCT segid) FROM case_search_idx').pluck().get() as number;
  const matching = (query: string): number[] =>
    database.db.$client.prepare('SELECT rowid FROM case_search WHERE case_search MATCH ? ORDER BY rowid').pluck().all(query) as number[];

  it('merges the segments that one transaction a case leaves, and finds the same rows after', async () => {
    expect(database.db.$client.prepare("SELECT v FROM case_search_config WHERE k = 'usermerge'").pluck().get()).toBe(2);
    const insert = database.db.$client.prepare('INSERT INTO case_search (rowid, reference, names, body, local_names, local_body) VALUES (?, ?, ?, ?, ?, ?)');
    // As intakes arrive: one small transaction each, so one new segment each until FTS5 merges four.
    for (let id = 1; id <= 60; id += 1) insert.run(id, `bvte-${id}`, id % 2 ? 'nguyen van an' : 'tran thi binh', 'o voi ba ngoai', `o7xnguyen o7xan${id}`, '');
    const before = segments();
    const found = [matching('"nguyen" "an"'), matching('"o7xnguyen"'), matching('"bvte" "17"')];
    expect(before).toBeGreaterThan(3);

    const merger = createSearchIndexMerger({ db: database.db, log, intervalMs: 0 });
    expect(await merger.tick()).toBeGreaterThan(0);
    expect(segments()).toBeLessThan(before);
    expect(segments()).toBeLessThanOrEqual(2);
    expect([matching('"nguyen" "an"'), matching('"o7xnguyen"'), matching('"bvte" "17"')]).toEqual(found);
    // Nothing left to merge: the next tick writes nothing.
    expect(await merger.tick()).toBe(0);
    await merger.stop();
    expect(log.error).not.toHaveBeenCalled();
  });
});
