import { describe, expect, it } from 'vitest';
import { VIETNAM_PUBLIC_HOLIDAYS } from '../../src/calendar/vietnam-holidays.js';
import {
  addWorkingDays,
  dateKeyInVietnam,
  isWorkingDay,
  workingDaysBetween,
} from '../../src/calendar/working-days.js';
import type { DateKey } from '../../src/calendar/working-days.js';

const HOLIDAYS: ReadonlySet<DateKey> = new Set(VIETNAM_PUBLIC_HOLIDAYS.map((h) => h.date));
const NONE: ReadonlySet<DateKey> = new Set();

/** An instant given as Viet Nam wall-clock time. */
const vn = (local: string): Date => new Date(`${local}+07:00`);
const endOf = (key: DateKey): Date => vn(`${key}T23:59:59.999`);
const utcWeekday = (key: DateKey): number => new Date(`${key}T00:00:00Z`).getUTCDay();

describe('dateKeyInVietnam', () => {
  it('turns the date over at 17:00 UTC', () => {
    expect(dateKeyInVietnam(new Date('2026-03-10T16:59:59.999Z'))).toBe('2026-03-10');
    expect(dateKeyInVietnam(new Date('2026-03-10T17:00:00.000Z'))).toBe('2026-03-11');
    expect(dateKeyInVietnam(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
  });

  it('agrees with the tz database for Asia/Ho_Chi_Minh', () => {
    const intl = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' });
    const start = Date.UTC(2025, 11, 25);
    const mismatches: string[] = [];
    for (let ms = start; ms < start + 800 * 86_400_000; ms += 97 * 60_000) {
      const instant = new Date(ms);
      if (dateKeyInVietnam(instant) !== intl.format(instant)) mismatches.push(instant.toISOString());
    }
    expect(mismatches).toEqual([]);
  });

  it('rejects an invalid Date', () => {
    expect(() => dateKeyInVietnam(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('isWorkingDay', () => {
  it('excludes Saturdays and Sundays', () => {
    expect(isWorkingDay('2026-03-06', NONE)).toBe(true); // Fri
    expect(isWorkingDay('2026-03-07', NONE)).toBe(false); // Sat
    expect(isWorkingDay('2026-03-08', NONE)).toBe(false); // Sun
    expect(isWorkingDay('2026-03-09', NONE)).toBe(true); // Mon
  });

  it('excludes the given holidays', () => {
    expect(isWorkingDay('2026-02-17', HOLIDAYS)).toBe(false);
    expect(isWorkingDay('2026-02-17', NONE)).toBe(true);
  });

  it('rejects keys that are not YYYY-MM-DD calendar dates', () => {
    for (const key of ['2026-02-30', '2026-2-3', '2026-02-03T00:00', '', 'tomorrow']) {
      expect(() => isWorkingDay(key, NONE), key).toThrow(RangeError);
    }
  });
});

describe('addWorkingDays', () => {
  it('skips the weekend: Monday to the end of next Monday', () => {
    expect(addWorkingDays(vn('2026-03-09T09:00'), 5, NONE)).toEqual(endOf('2026-03-16'));
  });

  it('returns the last millisecond of the Viet Nam day, as a UTC instant', () => {
    const deadline = addWorkingDays(vn('2026-03-09T09:00'), 5, NONE);
    expect(deadline.toISOString()).toBe('2026-03-16T16:59:59.999Z');
    expect(dateKeyInVietnam(new Date(deadline.getTime() + 1))).toBe('2026-03-17');
  });

  it('does not count the start day, whatever the time of receipt', () => {
    expect(addWorkingDays(vn('2026-03-09T00:00'), 1, NONE)).toEqual(endOf('2026-03-10'));
    expect(addWorkingDays(vn('2026-03-09T23:59'), 1, NONE)).toEqual(endOf('2026-03-10'));
  });

  it('from a Friday ends on the next Friday', () => {
    expect(addWorkingDays(vn('2026-03-13T15:00'), 5, NONE)).toEqual(endOf('2026-03-20'));
  });

  it('from a weekend day counts from the Monday', () => {
    expect(addWorkingDays(vn('2026-03-14T10:00'), 5, NONE)).toEqual(endOf('2026-03-20'));
    expect(addWorkingDays(vn('2026-03-15T10:00'), 1, NONE)).toEqual(endOf('2026-03-16'));
  });

  it('uses the Viet Nam date: 23:30 UTC on Thursday is Friday in Viet Nam', () => {
    const start = new Date('2026-03-05T23:30:00Z'); // Fri 06:30 in Viet Nam
    expect(addWorkingDays(start, 5, NONE)).toEqual(endOf('2026-03-13'));
  });

  it('skips the Tết 2026 block (14–22 Feb) for a concern received just before it', () => {
    // Thu 12 Feb: Fri 13 Feb is day 1, then Mon 23 to Thu 26 Feb.
    expect(addWorkingDays(vn('2026-02-12T16:00'), 5, HOLIDAYS)).toEqual(endOf('2026-02-26'));
    expect(addWorkingDays(vn('2026-02-13T08:00'), 5, HOLIDAYS)).toEqual(endOf('2026-02-27'));
  });

  it('from a holiday counts from the first working day after the block', () => {
    expect(addWorkingDays(vn('2026-02-18T10:00'), 5, HOLIDAYS)).toEqual(endOf('2026-02-27'));
  });

  it('skips a compensatory day and the 30/4–1/5 break (Apr–May 2026)', () => {
    // Fri 24 Apr: Mon 27 (Giỗ Tổ compensatory) off, Tue 28, Wed 29, then 30/4–3/5 off.
    expect(addWorkingDays(vn('2026-04-24T10:00'), 5, HOLIDAYS)).toEqual(endOf('2026-05-06'));
  });

  it('skips the Tết 2027 block (4–10 Feb)', () => {
    expect(addWorkingDays(vn('2027-02-03T10:00'), 5, HOLIDAYS)).toEqual(endOf('2027-02-17'));
  });

  it('with 0 days ends at the end of the start date', () => {
    expect(addWorkingDays(vn('2026-03-14T10:00'), 0, NONE)).toEqual(endOf('2026-03-14'));
  });

  it('rejects negative, fractional and non-finite day counts and invalid Dates', () => {
    for (const days of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => addWorkingDays(vn('2026-03-09T09:00'), days, NONE), String(days)).toThrow(
        RangeError,
      );
    }
    expect(() => addWorkingDays(new Date(Number.NaN), 5, NONE)).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it('is 0 on the same day and when `to` is earlier', () => {
    expect(workingDaysBetween(vn('2026-03-09T08:00'), vn('2026-03-09T17:00'), NONE)).toBe(0);
    expect(workingDaysBetween(vn('2026-03-09T08:00'), vn('2026-03-02T08:00'), NONE)).toBe(0);
  });

  it('counts working days after the start date up to the end date', () => {
    expect(workingDaysBetween(vn('2026-03-09T08:00'), vn('2026-03-16T17:00'), NONE)).toBe(5);
    expect(workingDaysBetween(vn('2026-03-13T08:00'), vn('2026-03-16T08:00'), NONE)).toBe(1);
  });

  it('skips holidays', () => {
    // Thu 12 Feb 2026 to Fri 27 Feb: Fri 13, then Mon 23 to Fri 27.
    expect(workingDaysBetween(vn('2026-02-12T10:00'), vn('2026-02-27T10:00'), HOLIDAYS)).toBe(6);
  });

  it('reads each calendar as given, even after another calendar was used', () => {
    // Mon 2 Mar to Fri 6 Mar 2026: 4 working days, 3 with Wed 4 Mar off.
    const from = vn('2026-03-02T10:00');
    const to = vn('2026-03-06T10:00');
    expect(workingDaysBetween(from, to, NONE)).toBe(4);
    expect(workingDaysBetween(from, to, new Set(['2026-03-04']))).toBe(3);
    expect(workingDaysBetween(from, to, new Set(['2026-03-05']))).toBe(3);
    expect(workingDaysBetween(from, to, NONE)).toBe(4);
  });

  it('ignores calendar entries that name no real date, as Date.parse would repair them', () => {
    // '2026-02-30' must not turn into Mon 2 Mar, nor '2026-3-4' into Wed 4 Mar.
    const odd = new Set(['2026-02-30', '2026-3-4', 'not a date']);
    expect(workingDaysBetween(vn('2026-02-27T10:00'), vn('2026-03-06T10:00'), odd)).toBe(5);
  });

  it('counts a non-working end date as the next working day: filed on Saturday after a Friday deadline is late', () => {
    const from = vn('2026-03-06T10:00'); // Fri; deadline Fri 13 Mar
    expect(workingDaysBetween(from, vn('2026-03-13T23:00'), NONE)).toBe(5);
    expect(workingDaysBetween(from, vn('2026-03-14T09:00'), NONE)).toBe(6);
    expect(workingDaysBetween(vn('2026-03-06T10:00'), vn('2026-03-07T10:00'), NONE)).toBe(1);
  });

  it('uses Viet Nam dates for both ends', () => {
    const from = new Date('2026-03-05T23:30:00Z'); // Fri 6 Mar in Viet Nam
    expect(workingDaysBetween(from, new Date('2026-03-09T01:00:00Z'), NONE)).toBe(1);
  });

  it('agrees with addWorkingDays: to <= addWorkingDays(from, n) exactly when the count is <= n', () => {
    // Receipts at 10:00 and 23:30 Viet Nam time over Tết 2026, answers every 7 hours for 30 days.
    const mismatches: string[] = [];
    for (let f = 0; f < 90; f += 1) {
      const hoursAfter = f * 12 + (f % 2) * 1.5; // 10:00, 23:30, 10:00 the next day, ...
      const from = new Date(vn('2026-01-28T10:00').getTime() + hoursAfter * 3_600_000);
      const deadlines = Array.from({ length: 11 }, (_, n) => addWorkingDays(from, n, HOLIDAYS));
      for (let hours = -24; hours < 30 * 24; hours += 7) {
        const to = new Date(from.getTime() + hours * 3_600_000);
        const count = workingDaysBetween(from, to, HOLIDAYS);
        deadlines.forEach((deadline, n) => {
          if (to <= deadline !== count <= n) {
            mismatches.push(`${from.toISOString()} → ${to.toISOString()}, n=${n}`);
          }
        });
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('VIETNAM_PUBLIC_HOLIDAYS', () => {
  const dates = VIETNAM_PUBLIC_HOLIDAYS.map((h) => h.date);

  it('has valid 2026–2027 dates, in order, without duplicates', () => {
    for (const date of dates) {
      expect(date).toMatch(/^202[67]-\d{2}-\d{2}$/);
      expect(() => isWorkingDay(date, NONE), date).not.toThrow();
    }
    expect(new Set(dates).size).toBe(dates.length);
    expect([...dates].sort()).toEqual(dates);
  });

  it('names every date in Vietnamese and in English', () => {
    for (const { date, name_vi, name_en } of VIETNAM_PUBLIC_HOLIDAYS) {
      expect(name_vi.trim(), date).not.toBe('');
      expect(name_en.trim(), date).not.toBe('');
    }
    expect(VIETNAM_PUBLIC_HOLIDAYS.find((h) => h.date === '2026-04-26')?.name_vi).toBe(
      'Giỗ Tổ Hùng Vương',
    );
  });

  it('contains each statutory holiday (Labour Code 2019, Art. 112)', () => {
    const required = [
      ...['2026', '2027'].flatMap((y) => [`${y}-01-01`, `${y}-04-30`, `${y}-05-01`, `${y}-09-02`]),
      '2026-02-17', // Lunar New Year's Day
      '2027-02-06',
      '2026-04-26', // 10th day of the 3rd lunar month
      '2027-04-16',
    ];
    for (const date of required) expect(dates, date).toContain(date);
  });

  it('lists the whole announced Tết 2026 block, weekends included', () => {
    const block = Array.from({ length: 9 }, (_, i) => `2026-02-${String(14 + i).padStart(2, '0')}`);
    for (const date of block) expect(dates, date).toContain(date);
  });

  it('gives at least the 11 statutory weekday days off per year', () => {
    for (const year of ['2026', '2027']) {
      const weekdaysOff = dates.filter((d) => d.startsWith(year) && utcWeekday(d) % 6 !== 0);
      expect(weekdaysOff.length, year).toBeGreaterThanOrEqual(11);
    }
  });

  it('labels weekend days and compensatory days consistently with their weekday', () => {
    for (const { date, name_en } of VIETNAM_PUBLIC_HOLIDAYS) {
      const weekend = utcWeekday(date) % 6 === 0;
      if (name_en.endsWith('(weekend)')) expect(weekend, date).toBe(true);
      if (name_en.endsWith('(compensatory day off)')) expect(weekend, date).toBe(false);
    }
  });
});
