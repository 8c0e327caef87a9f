/** A calendar date in Asia/Ho_Chi_Minh, formatted 'YYYY-MM-DD'. */
export type DateKey = string;

const DAY_MS = 86_400_000;
// Viet Nam has been UTC+7 all year, without DST, since 1975: a fixed offset is exact and much
// faster than Intl, which matters when statistics compute deadlines for every case.
const VIETNAM_OFFSET_MS = 7 * 3_600_000;
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

function dayNumberOfKey(key: DateKey): number {
  const ms = Date.parse(`${key}T00:00:00Z`);
  // The round trip rejects keys Date.parse silently repairs, such as '2026-02-30' or '2026-2-3'.
  if (Number.isNaN(ms) || keyOfDayNumber(ms / DAY_MS) !== key) {
    throw new RangeError(`Not a YYYY-MM-DD date: ${key}`);
  }
  return ms / DAY_MS;
}

// Each calendar as day numbers, worked out once per set (the repository hands out a new set when the
// calendar changes): counting working days then needs no date formatting at all.
const holidayDayNumbers = new WeakMap<ReadonlySet<DateKey>, ReadonlySet<number>>();

function dayNumbersOf(holidays: ReadonlySet<DateKey>): ReadonlySet<number> {
  let days = holidayDayNumbers.get(holidays);
  if (!days) {
    const numbers = new Set<number>();
    for (const key of holidays) {
      const day = Date.parse(`${key}T00:00:00Z`) / DAY_MS;
      // A key Date.parse repairs ('2026-02-30') names no day, as before: it never equals a day's key.
      if (Number.isInteger(day) && keyOfDayNumber(day) === key) numbers.add(day);
    }
    holidayDayNumbers.set(holidays, (days = numbers));
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
