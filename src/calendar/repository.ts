import { asc } from 'drizzle-orm';
import { preparedStatements, type DbOrTx } from '../db/client.js';
import { keptPerConnection } from '../db/kept.js';
import { nonWorkingDays } from './schema.js';
import type { DateKey } from './working-days.js';

export type NonWorkingDay = typeof nonWorkingDays.$inferSelect;

export function listNonWorkingDays(db: DbOrTx): NonWorkingDay[] {
  return db.select().from(nonWorkingDays).orderBy(asc(nonWorkingDays.date)).all();
}

const calendarStatements = preparedStatements((client) => ({
  days: client.prepare<[], DateKey>('SELECT date FROM non_working_days').pluck(),
}));

/**
 * The calendar's days off (besides weekends), for deadline arithmetic. A few dozen rows a year, read
 * by every case transition, so kept per connection (src/db/kept.ts).
 */
const calendar = keptPerConnection((db): ReadonlySet<DateKey> => new Set(calendarStatements(db).days.all()));

export function loadNonWorkingDays(db: DbOrTx): ReadonlySet<DateKey> {
  return calendar.get(db);
}

/** After a committed edit of the calendar through this connection: the next load reads it again. */
export function forgetNonWorkingDays(db: DbOrTx): void {
  calendar.forget(db);
}
