import { VIETNAM_OFFSET_MS } from '../i18n/dates.js';

/** A calendar date in Asia/Ho_Chi_Minh, formatted 'YYYY-MM-DD'. */
export type DateKey = string;

const DAY_MS = 86_400_000;
// Day 0 (1970-01-01) was a Thursday; getUTCDay() numbering, 0 = Sunday.
const WEEKDAY_OF_DAY_ZERO = 4;

/** Days since 1970-01-01 of the Viet Nam calendar date on which `instant` falls. */
function vietnamDayNumber(instant: Date): number {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('Invalid Date');
  return Math.floor((ms + VIETNAM_OFFSET_MS) / DAY_MS);
}

// Formatting a date is the slow part of deriving statistics (a fact asks for a dozen month keys);
// the days a deployment sees number in the tens of thousands, so each is formatted once.
const keysOfDays = new Map<number, DateKey>();

function keyOfDayNumber(day: number): DateKey {
  let key = keysOfDays.get(day);
  if (key === undefined) keysOfDays.set(day, (key = new Date(day * DAY_MS).toISOString().slice(0, 10)));
  return key;
}

/** The day number of a 'YYYY-MM-DD' key, or null when the key names no calendar date. */
function parseDayNumber(key: DateKey): number | null {
  const ms = Date.parse(`${key}T00:00:00Z`);
  // The round trip rejects keys Date.parse silently repairs, such as '2026-02-30' or '2026-2-3'.
  return Number.isNaN(ms) || keyOfDayNumber(ms / DAY_MS) !== key ? null : ms / DAY_MS;
}

function dayNumberOfKey(key: DateKey): number {
  const day = parseDayNumber(key);
  if (day === null) throw new RangeError(`Not a YYYY-MM-DD date: ${key}`);
  return day;
}

// Each calendar as day numbers, worked out once per set (the repository hands out a new set when the
// calendar changes): counting working days then needs no date formatting at all.
const holidayDayNumbers = new WeakMap<ReadonlySet<DateKey>, ReadonlySet<number>>();

function dayNumbersOf(holidays: ReadonlySet<DateKey>): ReadonlySet<number> {
  let days = holidayDayNumbers.get(holidays);
  if (!days) {
    // A key that names no date marks no day off, as when days were looked up by their keys.
    days = new Set([...holidays].map(parseDayNumber).filter((day) => day !== null));
    holidayDayNumbers.set(holidays, days);
  }
  return days;
}

function isWorkingDayNumber(day: number, holidays: ReadonlySet<DateKey>): boolean {
  const weekday = (((day + WEEKDAY_OF_DAY_ZERO) % 7) + 7) % 7;
  return weekday !== 0 && weekday !== 6 && !dayNumbersOf(holidays).has(day);
}

export function dateKeyInVietnam(instant: Date): DateKey {
  return keyOfDayNumber(vietnamDayNumber(instant));
}

/** Not a Saturday, a Sunday, or one of `holidays` (the administrator-maintained calendar). */
export function isWorkingDay(key: DateKey, holidays: ReadonlySet<DateKey>): boolean {
  return isWorkingDayNumber(dayNumberOfKey(key), holidays);
}

/**
 * The deadline for something due within `days` working days of `start`: the last millisecond
 * (23:59:59.999 Viet Nam time) of the `days`-th working day after start's Viet Nam date.
 * With `days` = 0 it is the end of start's own date.
 */
export function addWorkingDays(start: Date, days: number, holidays: ReadonlySet<DateKey>): Date {
  if (!Number.isSafeInteger(days) || days < 0) {
    throw new RangeError(`days must be a non-negative integer, got ${days}`);
  }
  // Receipt day not counted, period ends at the end of its last day (Civil Code Art. 147–148).
  let day = vietnamDayNumber(start);
  for (let remaining = days; remaining > 0; ) {
    day += 1;
    if (isWorkingDayNumber(day, holidays)) remaining -= 1;
  }
  return new Date((day + 1) * DAY_MS - VIETNAM_OFFSET_MS - 1);
}

/**
 * The working days `to` used up since `from`: the smallest n with `to <= addWorkingDays(from, n)`,
 * so "within 5 working days" means the same in statistics as in deadlines. That is the working
 * days after from's date up to to's date, plus one if to's date is not a working day (a plan filed
 * on the Saturday after a Friday deadline is late). 0 when `to` is on or before from's date.
 */
export function workingDaysBetween(from: Date, to: Date, holidays: ReadonlySet<DateKey>): number {
  const first = vietnamDayNumber(from);
  const last = vietnamDayNumber(to);
  if (last <= first) return 0;
  let count = 0;
  for (let day = first + 1; day <= last; day += 1) {
    if (isWorkingDayNumber(day, holidays)) count += 1;
  }
  return isWorkingDayNumber(last, holidays) ? count : count + 1;
}
