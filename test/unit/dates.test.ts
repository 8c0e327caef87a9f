import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, TIME_ZONE } from '../../src/i18n/dates.js';

describe('dates shown to users', () => {
  it('are in Viet Nam time', () => {
    expect(TIME_ZONE).toBe('Asia/Ho_Chi_Minh');
  });

  it('render a date as dd/mm/yyyy in Viet Nam, which can be the next day in UTC+7', () => {
    expect(formatDate('2026-03-31T18:30:00Z')).toBe('01/04/2026');
    expect(formatDate('2026-03-31T16:59:59Z')).toBe('31/03/2026');
  });

  it('render a date and time as dd/mm/yyyy HH:mm on the 24-hour clock', () => {
    expect(formatDateTime('2026-03-31T18:30:00Z')).toBe('01/04/2026 01:30');
    expect(formatDateTime('2026-04-01T17:00:00Z')).toBe('02/04/2026 00:00');
    expect(formatDateTime('2026-12-31T10:05:00Z')).toBe('31/12/2026 17:05');
  });

  it('pad single-digit days and months', () => {
    expect(formatDate('2026-01-04T03:00:00Z')).toBe('04/01/2026');
  });

  it('accept a Date, an ISO string or epoch milliseconds alike', () => {
    const instant = Date.parse('2026-03-31T18:30:00Z');
    expect(formatDateTime(new Date(instant))).toBe('01/04/2026 01:30');
    expect(formatDateTime(instant)).toBe('01/04/2026 01:30');
  });
});

describe('the fixed UTC+7 offset behind them', () => {
  const intl = {
    date: new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric' }),
    time: new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  };

  it('gives what Intl gives for Asia/Ho_Chi_Minh, from 1976 to 2100', () => {
    const from = Date.parse('1976-01-01T00:00:00Z');
    const until = Date.parse('2100-01-01T00:00:00Z');
    // A day and 37 min 13 s a step: over the years it lands on every hour of the day, near midnight too.
    const disagreements: string[] = [];
    for (let ms = from; ms < until; ms += 86_400_000 + 2_233_000) {
      const date = new Date(ms);
      const expected = `${intl.date.format(date)} ${intl.time.format(date)}`;
      if (formatDateTime(date) !== expected) disagreements.push(`${date.toISOString()}: ${formatDateTime(date)} ≠ ${expected}`);
    }
    expect(disagreements).toEqual([]);
  });

  it('refuses an instant that is not one, as Intl does', () => {
    expect(() => formatDate('not a date')).toThrow(RangeError);
    expect(() => formatDateTime(Number.NaN)).toThrow(RangeError);
  });
});
