import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SeedCounters } from '../../bench/seed/counters.js';
import { Tallies, type Contribution, type Counters } from '../../src/statistics/contributions.js';
import type { Level, Metric } from '../../src/statistics/dimensions.js';
import type { MonthKey } from '../../src/statistics/periods.js';
import { writeTallies } from '../../src/statistics/refresh.js';

const COLUMNS = 'org_id INTEGER NOT NULL, grp TEXT NOT NULL, metric TEXT NOT NULL, level TEXT NOT NULL, month TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL';

/** An empty stats_counts as the migrations make it. */
function tables(): Database.Database {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE stats_counts (${COLUMNS}, PRIMARY KEY (org_id, grp, metric, level, month, key)) WITHOUT ROWID`);
  return db;
}

// A fixed pseudo-random sequence, so cells repeat some of the time and not in a pattern.
let state = 1;
const pick = <T>(values: readonly T[]): T => values[(state = (state * 48271) % 2147483647) % values.length] as T;

// Keys that sort differently as numbers, as JavaScript strings and as UTF-8 bytes.
const KEYS = ['9', '10', 'direct', 'd3', 'w12', 'Z', 'a', 'é', '\u{1F600}', '\uFF5E'];
const ORGS = [1200, 7, 64, 100];
const GROUPS = ['all', 'abuse', 'child_labour'];
const cells = Array.from({ length: 600 }, () => ({
  org: pick(ORGS),
  group: pick(GROUPS),
  contribution: {
    level: pick(['school', 'commune', 'province'] as Level[]),
    month: pick(['2024-12', '2025-01', '2019-07'] as MonthKey[]),
    metric: pick(['stage', 'unit', 'category', 'closure_days'] as Metric[]),
    key: pick(KEYS),
  } satisfies Contribution,
}));

function tally<C extends Counters<unknown>>(counters: C): C {
  cells.forEach(({ org, group, contribution }, i) => {
    const key = counters.keyOf(contribution);
    counters.add(org, group, [key], 1);
    if (i % 13 === 0) {
      // A cell that goes up and back down to zero, which neither writes.
      counters.add(org, 'zeroed', [key], 1);
      counters.add(org, 'zeroed', [key], -1);
    }
  });
  return counters;
}

describe('the seed’s counters', () => {
  it('write the cells and counts the refresher’s tallies write', () => {
    const fromSeed = tables();
    const fromApp = tables();
    const cells = tally(new SeedCounters()).write(fromSeed);
    writeTallies(fromApp, tally(new Tallies()).byOrg);
    const all = (db: Database.Database): unknown[] => db.prepare('SELECT * FROM stats_counts ORDER BY org_id, grp, metric, level, month, key').raw().all();
    expect(all(fromSeed)).toEqual(all(fromApp));
    expect(cells).toBe(all(fromApp).length);
    expect(fromSeed.prepare("SELECT count(*) FROM stats_counts WHERE grp = 'zeroed'").pluck().get()).toBe(0);
  });

  it('write in the primary key’s order, as SQLite sorts it', () => {
    const db = new Database(':memory:');
    // Without a key, rowids record the order rows came in.
    db.exec(`CREATE TABLE stats_counts (${COLUMNS})`);
    tally(new SeedCounters()).write(db);
    const inserted = db.prepare('SELECT org_id, grp, metric, level, month, key FROM stats_counts ORDER BY rowid').raw().all();
    const sorted = db.prepare('SELECT org_id, grp, metric, level, month, key FROM stats_counts ORDER BY org_id, grp, metric, level, month, key').raw().all();
    expect(inserted.length).toBeGreaterThan(100);
    expect(inserted).toEqual(sorted);
  });

  it('refuse more distinct values than a column’s code has room for', () => {
    const seed = new SeedCounters();
    for (let group = 0; group < 16; group += 1) seed.add(1, `g${group}`, [], 1);
    expect(() => seed.add(1, 'g16', [], 1)).toThrow(/more than 16 distinct counter group values/);
  });
});
