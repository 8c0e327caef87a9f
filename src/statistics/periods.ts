/**
 * Reporting periods. Statistics are kept per calendar month (Viet Nam time) and published only for
 * whole months, quarters, calendar years and school years (1 September to 31 August): never a day
 * or a week, and never a window that slides, so two periods either nest or do not overlap.
 */
import { dateKeyInVietnam } from '../calendar/working-days.js';
import type { Dimension } from './suppression.js';

/** 'YYYY-MM' */
export type MonthKey = string;

export type PeriodKind = 'month' | 'quarter' | 'year' | 'school_year';

export interface Period {
  kind: PeriodKind;
  /** '2026-03', '2026-Q1', '2026' or 'SY2025' (the school year 2025–2026). */
  key: string;
  months: readonly MonthKey[];
}

const SCHOOL_YEAR_FIRST_MONTH = 9;

export function monthKeyOf(instant: Date | string): MonthKey {
  return dateKeyInVietnam(typeof instant === 'string' ? new Date(instant) : instant).slice(0, 7);
}

function monthKey(year: number, month: number): MonthKey {
  return `${year}-${String(month).padStart(2, '0')}`;
}

function yearOf(month: MonthKey): number {
  return Number(month.slice(0, 4));
}

function monthNumberOf(month: MonthKey): number {
  return Number(month.slice(5, 7));
}

/** The school year a month belongs to, named by the year it starts in. */
export function schoolYearOf(month: MonthKey): number {
  return monthNumberOf(month) >= SCHOOL_YEAR_FIRST_MONTH ? yearOf(month) : yearOf(month) - 1;
}

function monthsBetween(first: MonthKey, last: MonthKey): MonthKey[] {
  const months: MonthKey[] = [];
  for (let year = yearOf(first), month = monthNumberOf(first); monthKey(year, month) <= last; ) {
    months.push(monthKey(year, month));
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return months;
}

function quarterMonths(year: number, quarter: number): MonthKey[] {
  return [1, 2, 3].map((i) => monthKey(year, (quarter - 1) * 3 + i));
}

function schoolYearMonths(startYear: number): MonthKey[] {
  return monthsBetween(monthKey(startYear, SCHOOL_YEAR_FIRST_MONTH), monthKey(startYear + 1, SCHOOL_YEAR_FIRST_MONTH - 1));
}

const PATTERNS: { kind: PeriodKind; pattern: RegExp; months: (match: RegExpExecArray) => MonthKey[] | null }[] = [
  {
    kind: 'month',
    pattern: /^(\d{4})-(0[1-9]|1[0-2])$/,
    months: (m) => [monthKey(Number(m[1]), Number(m[2]))],
  },
  { kind: 'quarter', pattern: /^(\d{4})-Q([1-4])$/, months: (m) => quarterMonths(Number(m[1]), Number(m[2])) },
  { kind: 'year', pattern: /^(\d{4})$/, months: (m) => monthsBetween(monthKey(Number(m[1]), 1), monthKey(Number(m[1]), 12)) },
  { kind: 'school_year', pattern: /^SY(\d{4})$/, months: (m) => schoolYearMonths(Number(m[1])) },
];

/** A period from its key, or null for anything else: a day, a range, a rolling window. */
export function parsePeriod(value: unknown, kinds: readonly PeriodKind[]): Period | null {
  if (typeof value !== 'string') return null;
  for (const { kind, pattern, months } of PATTERNS) {
    const match = pattern.exec(value);
    if (!match || !kinds.includes(kind)) continue;
    const list = months(match);
    const year = Number(match[1]);
    if (!list || year < 2000 || year > 2200) return null;
    return { kind, key: value, months: list };
  }
  return null;
}

export function currentQuarter(now: Date): Period {
  const month = monthKeyOf(now);
  const quarter = Math.ceil(monthNumberOf(month) / 3);
  return { kind: 'quarter', key: `${yearOf(month)}-Q${quarter}`, months: quarterMonths(yearOf(month), quarter) };
}

/** The school year in progress, or for a report in July and August the one just ended. */
export function currentSchoolYear(now: Date): Period {
  const start = schoolYearOf(monthKeyOf(now));
  return { kind: 'school_year', key: `SY${start}`, months: schoolYearMonths(start) };
}

/** Months and quarters are published for the current quarter and the seven before it; older data by year and school year. */
export const RECENT_QUARTERS = 8;

/**
 * The time dimension of every statistics table: all months from the school year of the first
 * recorded month to the end of the current school year, with the recent quarters, every calendar
 * year and every school year as aggregates. Every period a reader can ask for is in it, so
 * suppression is decided once for all of them together (docs/decisions/0010). Older months are in
 * it as unpublished leaves: years and school years add them up, but they are never shown one by one.
 */
export interface Timeline {
  dimension: Dimension;
  /** The months published one by one (the recent ones), each a leaf of the dimension. */
  months: readonly MonthKey[];
  /** The leaf a month's counts go to: the month itself, or for older months the stretch of months holding it. */
  leafOf(month: MonthKey): string | undefined;
  /** Every period in the dimension, newest first within each kind. */
  periods: readonly Period[];
}

export function timeline(firstMonth: MonthKey, now: Date): Timeline {
  const current = monthKeyOf(now);
  const quarterIndex = yearOf(current) * 4 + Math.ceil(monthNumberOf(current) / 3) - 1 - (RECENT_QUARTERS - 1);
  const recentFrom = quarterMonths(Math.floor(quarterIndex / 4), (quarterIndex % 4) + 1)[0] ?? current;
  const startYear = schoolYearOf(firstMonth < current ? firstMonth : current);
  const endYear = schoolYearOf(current) + 1;
  const allMonths = monthsBetween(monthKey(startYear, 1), monthKey(endYear, 12));

  // Older months are only ever published inside a year or a school year, so each stretch between the
  // two boundaries (1 January, 1 September) is one leaf: far fewer cells, the same equations.
  const leafOfMonth = new Map<MonthKey, string>();
  const leaves: string[] = [];
  for (const month of allMonths) {
    const startsStretch = leaves.length === 0 || monthNumberOf(month) === 1 || monthNumberOf(month) === SCHOOL_YEAR_FIRST_MONTH;
    if (month >= recentFrom) leaves.push(month);
    else if (startsStretch) leaves.push(`S${month}`);
    leafOfMonth.set(month, leaves.at(-1) ?? month);
  }
  const leavesOf = (months: readonly MonthKey[]): string[] => [...new Set(months.map((month) => leafOfMonth.get(month) ?? month))];

  const periods: Period[] = [];
  for (let year = startYear; year <= endYear; year += 1) {
    for (let quarter = 1; quarter <= 4; quarter += 1) {
      const list = quarterMonths(year, quarter);
      if ((list[0] ?? '') >= recentFrom) periods.push({ kind: 'quarter', key: `${year}-Q${quarter}`, months: list });
    }
    periods.push({ kind: 'year', key: String(year), months: monthsBetween(monthKey(year, 1), monthKey(year, 12)) });
    if (year < endYear) periods.push({ kind: 'school_year', key: `SY${year}`, months: schoolYearMonths(year) });
  }
  const weightOf: Record<PeriodKind, number> = { month: 1, quarter: 2, year: 4, school_year: 4 };
  const kindOf = new Map(periods.map((period) => [period.key, period.kind]));
  const firstMonthOf = (leaf: string): MonthKey => (leaf.startsWith('S') ? leaf.slice(1) : leaf);
  const partners = new Map(
    leaves.map((leaf) => {
      const month = firstMonthOf(leaf);
      const related = (other: string): boolean => yearOf(firstMonthOf(other)) === yearOf(month) || schoolYearOf(firstMonthOf(other)) === schoolYearOf(month);
      return [leaf, leaves.filter((other) => other !== leaf && related(other))];
    }),
  );
  const months = allMonths.filter((month) => month >= recentFrom);
  return {
    months,
    leafOf: (month) => leafOfMonth.get(month),
    periods: [...months.map((month): Period => ({ kind: 'month', key: month, months: [month] })), ...periods],
    dimension: {
      leaves,
      aggregates: periods.map((period) => ({ key: period.key, members: leavesOf(period.months) })),
      weight: (coord) => weightOf[kindOf.get(coord) ?? 'month'],
      // Pairs of months that share a quarter, a year or a school year leave most aggregates unchanged.
      partners: (leaf) => partners.get(leaf) ?? [],
      unpublished: (coord) => coord.startsWith('S'),
    },
  };
}

/** Whether the period has begun by `now` (future periods are not offered). */
export function hasBegun(period: Period, now: Date): boolean {
  return (period.months[0] ?? '') <= monthKeyOf(now);
}
