import type Database from 'better-sqlite3';
import { writeTransaction, type Db, type Tx } from './client.js';

/**
 * Group commit (docs/decisions/0013): writes that arrive in the same turn of the event loop share one
 * BEGIN IMMEDIATE … COMMIT, so one fsync makes all of them durable instead of one fsync each. Each
 * write runs in its own SAVEPOINT, so a write that throws rolls back only itself; every promise
 * settles only after the COMMIT has returned, so nobody hears "done" before the data is on disk.
 */
export interface GroupCommit {
  run<T>(work: (tx: Tx) => T): Promise<T>;
}

interface Queued {
  work: (tx: Tx) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Enough to amortise the fsync many times over, small enough that no reply waits long behind a batch. */
const DEFAULT_MAX_BATCH = 64;

export function createGroupCommit(db: Db, options: { maxBatch?: number } = {}): GroupCommit {
  const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
  const client: Database.Database = db.$client;
  // better-sqlite3 runs a transaction function called inside a transaction as SAVEPOINT, and on
  // error as ROLLBACK TO + RELEASE, which is exactly "undo this write only".
  const inSavepoint = client.transaction((work: (tx: Tx) => unknown, tx: Tx) => work(tx));
  let queue: Queued[] = [];
  let scheduled = false;

  function runBatch(batch: readonly Queued[]): Outcome[] {
    return writeTransaction(db, (tx) =>
      batch.map((item): Outcome => {
        try {
          return { ok: true, value: inSavepoint(item.work, tx) };
        } catch (error) {
          // Some errors (disk full, I/O) make SQLite roll back the whole transaction: then the
          // writes before this one are gone too, and the batch must fail as a whole.
          if (!client.inTransaction) throw error;
          return { ok: false, error };
        }
      }),
    );
  }

  function flush(): void {
    scheduled = false;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(maxBatch);
    if (queue.length > 0) schedule();
    let outcomes: Outcome[];
    try {
      outcomes = runBatch(batch);
    } catch (error) {
      // BEGIN or COMMIT failed (or the transaction was lost): nothing of this batch is stored.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) item.resolve(outcome.value);
      else item.reject(outcome?.error);
    });
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    // After the I/O phase: every request that arrived with this one has been parsed and queued by then.
    setImmediate(flush);
  }

  return {
    run<T>(work: (tx: Tx) => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
  };
}

const shared = new WeakMap<Database.Database, GroupCommit>();

/**
 * The connection's own group commit. Intakes and audited reads share it, so one fsync serves all the
 * writes that arrived together, whatever kind they are.
 */
export function groupCommitFor(db: Db): GroupCommit {
  let found = shared.get(db.$client);
  if (!found) {
    found = createGroupCommit(db);
    shared.set(db.$client, found);
  }
  return found;
}
