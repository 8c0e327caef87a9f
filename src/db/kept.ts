/**
 * A value read from the database and kept per connection until it may have changed: a write through
 * the connection calls forget(), and a commit by any other connection (another process, the CLI)
 * changes `PRAGMA data_version`, so the next get() reads it again. For small tables that hot paths
 * read and people rarely edit: the calendar, the organisation tree.
 */
import type Database from 'better-sqlite3';
import { preparedStatements, sqliteOf, type DbOrTx } from './client.js';

const statements = preparedStatements((client) => ({
  dataVersion: client.prepare<[], number>('PRAGMA data_version').pluck(),
}));

export interface Kept<T> {
  get(db: DbOrTx): T;
  forget(db: DbOrTx): void;
}

export function keptPerConnection<T>(read: (db: DbOrTx) => T): Kept<T> {
  const kept = new WeakMap<Database.Database, { value: T; dataVersion: number }>();
  return {
    get(db) {
      const dataVersion = statements(db).dataVersion.get()!;
      const found = kept.get(sqliteOf(db));
      if (found && found.dataVersion === dataVersion) return found.value;
      const value = read(db);
      kept.set(sqliteOf(db), { value, dataVersion });
      return value;
    },
    forget(db) {
      kept.delete(sqliteOf(db));
    },
  };
}
