/**
 * The seed's statistics counters. Which cells a fact adds to is the refresher's tallyFact; only the
 * bookkeeping differs. A million cases add to about fifty million cells (4.8 million distinct), and
 * the refresher's Tally, a map of string keys per organisation and group, spent more time building
 * and hashing keys than anything else in the seed's second thread. Here a cell is one number, its six
 * key columns coded as small integers, counted in a hash table of typed arrays, and the table is
 * written once, at the end, in primary-key order, so every row and index entry is appended.
 */
import type Database from 'better-sqlite3';
import type { Contribution, Counters } from '../../src/statistics/contributions.js';
import { RowBatch } from '../../src/db/row-batch.js';

/** Values numbered as they come, at most `capacity` of them; ranked in SQLite's order at the end. */
class Codes<T extends string | number> {
  private readonly ids = new Map<T, number>();
  readonly values: T[] = [];

  constructor(
    private readonly name: string,
    readonly capacity: number,
  ) {}

  code(value: T): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      if (id === this.capacity) throw new Error(`more than ${this.capacity} distinct counter ${this.name} values`);
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }

  /** Each code's position when the values are sorted as SQLite sorts the column (integers by value, text bytewise). */
  ranks(): { rankOf: Int32Array; sorted: T[] } {
    const byBytes = (a: T, b: T): number => (typeof a === 'number' && typeof b === 'number' ? a - b : Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b))));
    const order = this.values.map((_, code) => code).sort((a, b) => byBytes(this.values[a] as T, this.values[b] as T));
    const rankOf = new Int32Array(this.values.length);
    order.forEach((code, rank) => (rankOf[code] = rank));
    return { rankOf, sorted: order.map((code) => this.values[code] as T) };
  }
}

/** Counts keyed by integers below 2^53, by open addressing; a stored key is the key plus one, so 0 marks a free slot. */
class CountTable {
  private keys: Float64Array;
  private counts: Float64Array;
  size = 0;

  /** Room for `expected` keys before the table has to grow. */
  constructor(expected = 1 << 19) {
    const slots = 2 ** Math.ceil(Math.log2(Math.max(expected, 1) * 2 + 1));
    this.keys = new Float64Array(slots);
    this.counts = new Float64Array(slots);
  }

  private slotOf(keys: Float64Array, key: number): number {
    const mask = keys.length - 1;
    let slot = (Math.imul(key >>> 0, 0x9e3779b1) ^ Math.imul((key / 4294967296) >>> 0, 0x85ebca77)) & mask;
    while (keys[slot] !== 0 && keys[slot] !== key + 1) slot = (slot + 1) & mask;
    return slot;
  }

  add(key: number, n: number): void {
    let slot = this.slotOf(this.keys, key);
    if (this.keys[slot] === 0) {
      if ((this.size + 1) * 2 > this.keys.length) {
        this.grow();
        slot = this.slotOf(this.keys, key);
      }
      this.keys[slot] = key + 1;
      this.size += 1;
    }
    this.counts[slot] = (this.counts[slot] as number) + n;
  }

  get(key: number): number {
    return this.counts[this.slotOf(this.keys, key)] as number;
  }

  forEach(visit: (key: number, count: number) => void): void {
    for (let slot = 0; slot < this.keys.length; slot += 1) {
      const stored = this.keys[slot] as number;
      if (stored !== 0) visit(stored - 1, this.counts[slot] as number);
    }
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    const counts = new Float64Array(this.keys.length * 2);
    for (let slot = 0; slot < this.keys.length; slot += 1) {
      const stored = this.keys[slot] as number;
      if (stored === 0) continue;
      const to = this.slotOf(keys, stored - 1);
      keys[to] = stored;
      counts[to] = this.counts[slot] as number;
    }
    this.keys = keys;
    this.counts = counts;
  }
}

const COLUMNS = ['org_id', 'grp', 'metric', 'level', 'month', 'key'] as const;

export class SeedCounters implements Counters<number> {
  // In the order of the table's primary key (org_id, grp, metric, level, month, key), most significant first.
  private readonly orgs = new Codes<number>('organisation', 4096);
  private readonly groups = new Codes<string>('group', 16);
  private readonly metrics = new Codes<string>('metric', 32);
  private readonly levels = new Codes<string>('level', 8);
  private readonly months = new Codes<string>('month', 1024);
  private readonly keys = new Codes<string>('key', 65536);
  private readonly codes = [this.orgs, this.groups, this.metrics, this.levels, this.months, this.keys] as const;
  private readonly contributionCapacity = this.metrics.capacity * this.levels.capacity * this.months.capacity * this.keys.capacity;
  private readonly table = new CountTable();

  /** The contribution's part of a cell's number: its four least significant codes. */
  keyOf(c: Contribution): number {
    const { metrics, levels, months, keys } = this;
    return ((metrics.code(c.metric) * levels.capacity + levels.code(c.level)) * months.capacity + months.code(c.month)) * keys.capacity + keys.code(c.key);
  }

  add(orgId: number, group: string, keys: readonly number[], n: number): void {
    const prefix = (this.orgs.code(orgId) * this.groups.capacity + this.groups.code(group)) * this.contributionCapacity;
    for (const key of keys) this.table.add(prefix + key, n);
  }

  /** Writes every non-zero counter into stats_counts, in primary-key order. */
  write(client: Database.Database): number {
    const capacities = this.codes.map((codes) => codes.capacity);
    const ranked = this.codes.map((codes) => (codes as Codes<string | number>).ranks());
    // Renumbered by rank, the cells' numbers sort as their primary keys do.
    const byRank = new CountTable(this.table.size);
    const order = new Float64Array(this.table.size);
    let cells = 0;
    this.table.forEach((key, n) => {
      if (n === 0) return;
      let rankKey = 0;
      let scale = 1;
      for (let i = capacities.length - 1; i >= 0; i -= 1) {
        const capacity = capacities[i] as number;
        const code = key % capacity;
        key = (key - code) / capacity;
        rankKey += (ranked[i]?.rankOf[code] as number) * scale;
        scale *= capacity;
      }
      byRank.add(rankKey, n);
      order[cells] = rankKey;
      cells += 1;
    });
    const rows = new RowBatch(client, 'stats_counts', [...COLUMNS, 'n']);
    const values: unknown[] = [];
    for (const rankKey of order.subarray(0, cells).sort()) {
      let rest = rankKey;
      for (let i = capacities.length - 1; i >= 0; i -= 1) {
        const capacity = capacities[i] as number;
        const rank = rest % capacity;
        rest = (rest - rank) / capacity;
        values[i] = ranked[i]?.sorted[rank];
      }
      rows.add(values[0], values[1], values[2], values[3], values[4], values[5], byRank.get(rankKey));
    }
    rows.flush();
    return cells;
  }
}
