import type Database from 'better-sqlite3';
import { asc } from 'drizzle-orm';
import { preparedStatements, sqliteOf, type DbOrTx } from '../db/client.js';
import { nonWorkingDays } from './schema.js';
import type { DateKey } from './working-days.js';

export type NonWorkingDay = typeof nonWorkingDays.$inferSelect;

export function listNonWorkingDays(db: DbOrTx): NonWorkingDay[] {
  return db.select().from(nonWorkingDays).orderBy(asc(nonWorkingDays.date)).all();
}

const calendarStatements = preparedStatements((client) => ({
  days: client.prepare<[], DateKey>('SELECT date FROM non_working_days').pluck(),
  // Changes whenever another connection (another process, the CLI) has committed anything.
  dataVersion: client.prepare<[], number>('PRAGMA data_version').pluck(),
}));

/** Per connection: the calendar as last read, and the data_version it was read at. */
const cachedCalendars = new WeakMap<Database.Database, { days: ReadonlySet<DateKey>; dataVersion: number }>();

/**
 * The calendar's days off (besides weekends), for deadline arithmetic. A few dozen rows a year, read
 * by every case transition, so kept per connection: edits through this connection call
 * forgetNonWorkingDays, and a commit by any other connection makes it read again.
 */
export function loadNonWorkingDays(db: DbOrTx): ReadonlySet<DateKey> {
  const statements = calendarStatements(db);
  const dataVersion = statements.dataVersion.get()!;
  const cached = cachedCalendars.get(sqliteOf(db));
  if (cached && cached.dataVersion === dataVersion) return cached.days;
  const days = new Set(statements.days.all());
  cachedCalendars.set(sqliteOf(db), { days, dataVersion });
  return days;
}

/** After a committed edit of the calendar through this connection: the next load reads it again. */
export function forgetNonWorkingDays(db: DbOrTx): void {
  cachedCalendars.delete(sqliteOf(db));
}
