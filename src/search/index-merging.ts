/**
 * Keeps the search index in few segments (docs/decisions/0027). FTS5 writes each transaction's words
 * as a new segment and merges only once four lie on one level, so a few thousand case changes leave
 * the index in twenty-odd segments. A search looks each word up in every segment, and a province's
 * search looks up three words in each of its 578 communes: 30 ms on a merged index, 160 ms on one in
 * 23 segments. Every 10 s this merges a few pages of the levels that hold two segments
 * (usermerge, migration 0011), step after step while there is work, each step in the group commit:
 * a few milliseconds of the web thread at a time, and no fsync of its own.
 */
import type { FastifyBaseLogger } from 'fastify';
import { preparedStatements, type Db, type DbOrTx } from '../db/client.js';
import { groupCommitFor } from '../db/group-commit.js';
import { periodicJob, type PeriodicJob } from '../runtime/periodic-job.js';

/** 64 pages of 4 KiB written: about 7 ms a step at a million cases, 13 ms at worst (measured). */
const PAGES_A_STEP = 64;
/** Enough steps for the segments a busy minute of intakes leaves, without taking the thread for long. */
const STEPS_A_TICK = 200;

/** A tick runs up to STEPS_A_TICK steps, so the two statements are prepared once per connection. */
const mergeStatements = preparedStatements((client) => ({
  totalChanges: client.prepare<[], number>('SELECT total_changes()').pluck(),
  merge: client.prepare<[number]>("INSERT INTO case_search (case_search, rank) VALUES ('merge', ?)"),
}));

/** One merge step; false when there was nothing to merge. */
export function mergeSearchIndexStep(tx: DbOrTx): boolean {
  const { totalChanges, merge } = mergeStatements(tx);
  const before = totalChanges.get() as number;
  merge.run(PAGES_A_STEP);
  // The command itself counts as one change; whatever it merged adds the rows it wrote.
  return (totalChanges.get() as number) - before > 1;
}

export function createSearchIndexMerger({ db, log, intervalMs }: { db: Db; log: FastifyBaseLogger; intervalMs: number }): PeriodicJob<number> {
  const groupCommit = groupCommitFor(db);
  return periodicJob({
    // Resolves with the number of steps that merged something.
    async run(stopping) {
      let merged = 0;
      while (!stopping() && merged < STEPS_A_TICK && (await groupCommit.run(mergeSearchIndexStep))) merged += 1;
      return merged;
    },
    intervalMs,
    log,
    failure: 'search index merge failed',
  });
}
