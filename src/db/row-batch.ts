/**
 * Rows written many to an INSERT: better-sqlite3 binds and steps one statement per 64 rows instead
 * of one per row, which for narrow rows costs about as much as SQLite's own work on them. Used where
 * thousands of rows go in at once (the statistics counters, the benchmark's seed). Nothing is written
 * before a batch fills; the caller flushes before its transaction commits.
 */
import type Database from 'better-sqlite3';

const ROWS_PER_INSERT = 64;

export class RowBatch {
  private readonly insertOne: Database.Statement<unknown[]>;
  private readonly insertMany: Database.Statement<unknown[]>;
  private readonly width: number;
  private values: unknown[] = [];

  /** `onConflict`, if given, follows the VALUES list (an upsert clause applies to each row). */
  constructor(client: Database.Database, table: string, columns: readonly string[], onConflict = '') {
    const row = `(${columns.map(() => '?').join(', ')})`;
    const into = `INSERT INTO ${table} (${columns.join(', ')}) VALUES`;
    this.width = columns.length;
    this.insertOne = client.prepare(`${into} ${row} ${onConflict}`);
    this.insertMany = client.prepare(`${into} ${Array.from({ length: ROWS_PER_INSERT }, () => row).join(', ')} ${onConflict}`);
  }

  /** One row, its values in the order of the columns. */
  add(...row: unknown[]): void {
    for (const value of row) this.values.push(value);
    if (this.values.length === ROWS_PER_INSERT * this.width) this.flush();
  }

  flush(): void {
    const values = this.values;
    this.values = [];
    if (values.length === ROWS_PER_INSERT * this.width) this.insertMany.run(values);
    else for (let i = 0; i < values.length; i += this.width) this.insertOne.run(values.slice(i, i + this.width));
  }
}
