import { asc } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { nonWorkingDays } from './schema.js';
import type { DateKey } from './working-days.js';

export type NonWorkingDay = typeof nonWorkingDays.$inferSelect;

export function listNonWorkingDays(db: DbOrTx): NonWorkingDay[] {
  return db.select().from(nonWorkingDays).orderBy(asc(nonWorkingDays.date)).all();
}

/** The calendar's days off (besides weekends), for deadline arithmetic. A few dozen rows a year. */
export function loadNonWorkingDays(db: DbOrTx): ReadonlySet<DateKey> {
  return new Set(db.select({ date: nonWorkingDays.date }).from(nonWorkingDays).all().map((row) => row.date));
}
