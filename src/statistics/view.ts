/**
 * Builds what a statistics page, export or periodic report shows for the active role's
 * organisation: the suppressed tables and the indicators for one period, level and category group.
 * Pages, CSV, XLSX and the report all read this one model, so they can only show the same numbers.
 */
import type { Db } from '../db/client.js';
import type { Locale, Translate } from '../i18n/i18n.js';
import type { StatisticsScope } from './compute.js';
import { INDICATOR_METRICS, type GroupFilter, type LevelFilter } from './dimensions.js';
import { computeIndicators, type IndicatorValue } from './indicators.js';
import { hasBegun, type Period } from './periods.js';
import { loadCounts } from './store.js';
import { sliceTable, type Cell, type Label, type ProtectedStatistics, type TableId, type TableSlice } from './tables.js';

/** The periods a reader may pick: every month, quarter and year of the timeline that has begun. */
export function selectablePeriods(statistics: ProtectedStatistics, now: Date, kinds: readonly Period['kind'][]): Period[] {
  return statistics.timeline.periods.filter((period) => kinds.includes(period.kind) && hasBegun(period, now));
}

export interface Filters {
  period: Period;
  level: LevelFilter;
  group: GroupFilter;
}

export interface CellView extends Cell {
  text: string;
}

export interface TableView {
  id: TableId;
  title: string;
  note: string | null;
  rowHeader: string;
  columns: string[];
  rows: { label: string; total: boolean; cells: CellView[] }[];
  withheld: boolean;
  /** Shown by quarter and year only, and a month was asked for. */
  notMonthly: boolean;
}

export interface IndicatorView extends IndicatorValue {
  labelText: string;
  hintText: string;
  text: string;
}

export interface StatisticsView {
  orgName: string;
  filters: Filters;
  periodLabel: string;
  levelLabel: string;
  groupLabel: string;
  threshold: number;
  generatedAt: Date;
  tables: TableView[];
  indicators: IndicatorView[];
}

const ROMAN = ['I', 'II', 'III', 'IV'];

export function periodLabel(t: Translate, period: Period): string {
  const [year = '', rest = ''] = period.key.split('-');
  switch (period.kind) {
    case 'month':
      return t('stats.period.month', { month: Number(rest), year });
    case 'quarter':
      return t('stats.period.quarter', { quarter: ROMAN[Number(rest.slice(1)) - 1] ?? rest, year });
    case 'year':
      return t('stats.period.year', { year });
    case 'school_year': {
      const start = Number(period.key.slice(2));
      return t('stats.period.school_year', { start, end: start + 1 });
    }
  }
}

function labelText(t: Translate, locale: Locale, label: Label): string {
  if ('key' in label) return t(label.key, label.params);
  return locale === 'en' && label.textEn ? label.textEn : label.text;
}

export function cellText(cell: Cell, threshold: number, locale: Locale): string {
  if (cell.display === 'small') return `<${threshold}`;
  if (cell.display === 'hidden') return 'x';
  return (cell.value ?? 0).toLocaleString(locale === 'vi' ? 'vi-VN' : 'en-GB');
}

function tableView(t: Translate, locale: Locale, slice: TableSlice, threshold: number): TableView {
  const { spec } = slice;
  const labels = [...spec.rows.labels.map((label) => labelText(t, locale, label)), t('stats.total')];
  return {
    id: spec.id,
    title: t(spec.title),
    note: spec.note ? t(spec.note) : null,
    rowHeader: t(spec.rowHeader),
    columns: [t('stats.column.count')],
    withheld: slice.withheld,
    notMonthly: slice.notMonthly,
    rows: slice.cells.map((cell, i) => ({
      label: labels[i] ?? '',
      total: spec.totals && i === spec.rows.keys.length,
      cells: [{ ...cell, text: cellText(cell, threshold, locale) }],
    })),
  };
}

function indicatorText(t: Translate, locale: Locale, indicator: IndicatorValue, threshold: number): string {
  if (indicator.status === 'too_few' || indicator.value === null) return t('stats.indicator.too_few', { threshold });
  const number = indicator.value.toLocaleString(locale === 'vi' ? 'vi-VN' : 'en-GB');
  if (indicator.unit === 'percent') return `${number}%`;
  if (indicator.unit === 'hours') return t('stats.indicator.hours', { n: number });
  return t('stats.indicator.days', { n: number });
}

export interface ViewRequest {
  scope: StatisticsScope;
  statistics: ProtectedStatistics;
  filters: Filters;
  now: Date;
  t: Translate;
  locale: Locale;
}

export function buildStatisticsView(db: Db, request: ViewRequest): StatisticsView {
  const { scope, statistics, filters, now, t, locale } = request;
  const { threshold } = statistics;
  const tables = statistics.tables
    .map((table) => sliceTable(table, filters.period.key, filters.level))
    .filter((slice): slice is TableSlice => slice !== null)
    .map((slice) => tableView(t, locale, slice, threshold));
  const indicatorCounts = loadCounts(db, { orgId: scope.orgId, orgKind: scope.orgKind, group: filters.group, metrics: INDICATOR_METRICS, months: filters.period.months });
  const indicators = computeIndicators(indicatorCounts, filters.period.months, filters.level, threshold).map((indicator) => ({
    ...indicator,
    labelText: t(indicator.label),
    hintText: t(indicator.hint),
    text: indicatorText(t, locale, indicator, threshold),
  }));
  return {
    orgName: scope.orgName,
    filters,
    periodLabel: periodLabel(t, filters.period),
    levelLabel: t(`stats.level.${filters.level}`),
    groupLabel: t(`stats.group.${filters.group}`),
    threshold,
    generatedAt: now,
    tables,
    indicators,
  };
}
