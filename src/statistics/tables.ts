/**
 * The statistics tables of one organisation's subtree, suppressed together. Each table is one cube
 * over (organisation level × every month, quarter, year and school year × its own categories), so
 * whatever period and level a reader picks, the cells come from one suppression pattern and no two
 * views can be subtracted to uncover a hidden cell (docs/decisions/0010).
 */
import type { MessageKey } from '../i18n/vi.js';
import type { TaxonomyGroupKind } from '../taxonomy/seed-data.js';
import type { Counts } from './store.js';
import {
  AGE_BANDS,
  CALL_TYPE_KEYS,
  CHANNELS,
  FLAG_STATUS_KEYS,
  OUTCOMES,
  RISKS,
  SEX_KEYS,
  STAGES,
  type GroupFilter,
  type Level,
  type LevelFilter,
  type Metric,
} from './dimensions.js';
import type { Timeline } from './periods.js';
import { buildCubeFrom, isWithheld, looksSmall, MASKED_ZERO, oneWay, protect, SECONDARY, SHOWN, UNPUBLISHED, type Cube, type Dimension, type Protection } from './suppression.js';

export type TableId =
  | 'flags'
  | 'channels'
  | 'calls'
  | 'category_abuse'
  | 'category_child_labour'
  | 'category_special_circumstances'
  | 'risk'
  | 'stage'
  | 'outcome'
  | 'age'
  | 'sex'
  | 'units';

/** Row or column labels: a catalogue key, or a name from the data (an organisation, a taxonomy code). */
export type Label = { key: MessageKey; params?: Record<string, string | number> } | { text: string; textEn?: string };

export interface Axis {
  keys: readonly string[];
  labels: readonly Label[];
}

export interface TableSpec {
  id: TableId;
  metric: Metric;
  title: MessageKey;
  /** What the rows are, for the header of the first column. */
  rowHeader: MessageKey;
  note?: MessageKey;
  levels: readonly Level[];
  rows: Axis;
  /** Whether the table has a published total; the category tables count a case once per category, so they have none. */
  totals: boolean;
  /** Tables whose total is the number of cases received, which must be hidden alike in all of them. */
  casesTotal: boolean;
  /**
   * Whether the table is published month by month. Breakdowns (categories, risk, age, …) are shown by
   * quarter and year only: month by month they would be almost all "<5", and each would cost more
   * cells hidden elsewhere to protect.
   */
  monthly: boolean;
}

export interface TableSpecInput {
  /** Top-level taxonomy codes per group, in display order, with their names. */
  categories: Record<TaxonomyGroupKind, { code: string; nameVi: string; nameEn: string }[]>;
  /** The organisation's child units for the "by organisation" table (none for a school). */
  children: { id: number; name: string }[];
  orgName: string;
  group: GroupFilter;
}

const keyLabels = (prefix: string, keys: readonly string[]): Axis => ({
  keys,
  labels: keys.map((key) => ({ key: `${prefix}${key.replace(/-/g, '_')}` as MessageKey })),
});

/** The tables in page order. */
export function tableSpecs(input: TableSpecInput): TableSpec[] {
  const CASES: readonly Level[] = ['school', 'commune'];
  const specs: TableSpec[] = [
    { id: 'flags', metric: 'flag', title: 'stats.table.flags', rowHeader: 'stats.row.flag_status', note: 'stats.note.flags', levels: ['school'], rows: keyLabels('stats.flag_status.', FLAG_STATUS_KEYS), totals: true, casesTotal: false, monthly: true },
    { id: 'channels', metric: 'channel', title: 'stats.table.channels', rowHeader: 'stats.row.channel', levels: CASES, rows: keyLabels('stats.channel.', CHANNELS), totals: true, casesTotal: true, monthly: true },
  ];
  if (input.group === 'all') {
    specs.push({ id: 'calls', metric: 'call', title: 'stats.table.calls', rowHeader: 'stats.row.call_type', note: 'stats.note.calls', levels: ['school', 'commune', 'other'], rows: keyLabels('stats.call_type.', CALL_TYPE_KEYS), totals: true, casesTotal: false, monthly: true });
  }
  for (const group of ['abuse', 'child_labour', 'special_circumstances'] as const) {
    const codes = input.categories[group];
    specs.push({
      id: `category_${group}`,
      metric: 'category',
      title: `stats.table.category_${group}`,
      rowHeader: 'stats.row.category',
      note: 'stats.note.categories',
      levels: CASES,
      rows: { keys: codes.map((c) => c.code), labels: codes.map((c) => ({ text: c.nameVi, textEn: c.nameEn })) },
      totals: false,
      casesTotal: false,
      monthly: false,
    });
  }
  specs.push(
    { id: 'risk', metric: 'risk', title: 'stats.table.risk', rowHeader: 'stats.row.risk', levels: CASES, rows: keyLabels('stats.risk.', RISKS), totals: true, casesTotal: true, monthly: false },
    { id: 'stage', metric: 'stage', title: 'stats.table.stage', rowHeader: 'stats.row.stage', note: 'stats.note.stage', levels: CASES, rows: keyLabels('stats.stage.', STAGES), totals: true, casesTotal: true, monthly: false },
    { id: 'outcome', metric: 'outcome', title: 'stats.table.outcome', rowHeader: 'stats.row.outcome', note: 'stats.note.outcome', levels: CASES, rows: keyLabels('stats.outcome.', OUTCOMES), totals: true, casesTotal: false, monthly: false },
    { id: 'age', metric: 'age', title: 'stats.table.age', rowHeader: 'stats.row.age_band', levels: CASES, rows: keyLabels('stats.age.', AGE_BANDS), totals: true, casesTotal: true, monthly: false },
    { id: 'sex', metric: 'sex', title: 'stats.table.sex', rowHeader: 'stats.row.sex', levels: CASES, rows: keyLabels('stats.sex.', SEX_KEYS), totals: true, casesTotal: true, monthly: false },
  );
  if (input.children.length > 0) {
    specs.push({
      id: 'units',
      metric: 'unit',
      title: 'stats.table.units',
      rowHeader: 'stats.row.unit',
      note: 'stats.note.units',
      levels: CASES,
      rows: {
        keys: [...input.children.map((child) => String(child.id)), 'direct'],
        labels: [...input.children.map((child) => ({ text: child.name })), { key: 'stats.unit_direct', params: { name: input.orgName } }],
      },
      totals: true,
      casesTotal: true,
      monthly: false,
    });
  }
  return specs;
}

export interface ProtectedTable {
  spec: TableSpec;
  timeline: Timeline;
  cube: Cube;
  protection: Protection;
  withheld: boolean;
}

export interface ProtectedStatistics {
  threshold: number;
  /** The month the timeline starts from (with `now`, all it takes to rebuild the timeline). */
  firstMonth: string;
  timeline: Timeline;
  tables: ProtectedTable[];
}

function levelDimension(levels: readonly Level[]): Dimension {
  return { leaves: levels, aggregates: [{ key: 'all', members: levels }], weight: (coord) => (coord === 'all' ? 2 : 1) };
}

function axisDimension(axis: Axis, totals: boolean): Dimension {
  return totals ? oneWay(axis.keys) : { leaves: axis.keys, aggregates: [] };
}

/** Organisation level × time × the table's rows: one cube for every period and level a reader can pick. */
export function tableDimensions(spec: TableSpec, timeline: Timeline): Dimension[] {
  return [levelDimension(spec.levels), timeline.dimension, axisDimension(spec.rows, spec.totals)];
}

/** The grand total of a cases table for one level and period: the same number in every such table. */
function casesTotalCell(table: ProtectedTable, level: string, period: string): number {
  return table.cube.index([level, period, 'total']);
}

/**
 * The month cells of a table shown by quarter and year only. A cases total stays: the channels table
 * publishes it month by month, so this table's witnesses must not count on it being unknown.
 */
function monthCells(cube: Cube, timeline: Timeline, spec: TableSpec): number[] {
  const cells: number[] = [];
  const rows = spec.totals ? [...spec.rows.keys, 'total'] : spec.rows.keys;
  for (const level of ['all', ...spec.levels]) {
    for (const month of timeline.months) {
      for (const row of rows) if (!(spec.casesTotal && row === 'total')) cells.push(cube.index([level, month, row]));
    }
  }
  return cells;
}

export function protectStatistics(counts: Counts, specs: readonly TableSpec[], timeline: Timeline, threshold: number, firstMonth: string): ProtectedStatistics {
  const tables = specs.map((spec): ProtectedTable => {
    const dims = tableDimensions(spec, timeline);
    // Months outside the timeline (a date from the future) count nowhere, in every table alike. A key
    // outside the rows can only be a category no longer in the taxonomy: those tables have no total.
    const rows = new Set(spec.rows.keys);
    const levels = new Set<string>(spec.levels);
    const cube = buildCubeFrom(dims, (add) => {
      const coords = ['', '', ''];
      for (const [level, month, key, n] of counts.entries(spec.metric)) {
        const leaf = timeline.leafOf(month);
        if (!leaf || !levels.has(level) || !(spec.casesTotal || rows.has(key))) continue;
        coords[0] = level;
        coords[1] = leaf;
        coords[2] = key;
        add(coords, n);
      }
    });
    const protection = protect(cube, threshold, { unpublished: spec.monthly ? [] : monthCells(cube, timeline, spec) });
    return { spec, timeline, cube, protection, withheld: isWithheld(protection) };
  });

  // Hiding more never uncovers anything, so a cases total hidden in one table is hidden in all of them:
  // otherwise the table that shows it would undo the protection of the table that hid it.
  const sharing = tables.filter((table) => table.spec.casesTotal && !table.withheld);
  const levels = ['all', 'school', 'commune'];
  for (const level of levels) {
    for (const period of timeline.dimension.leaves.concat(timeline.dimension.aggregates.map((a) => a.key))) {
      // An unpublished total is not relied on by any witness (see unpublishedWitness), so it does not count here.
      const hidden = sharing.some((table) => {
        const state = table.protection.states[casesTotalCell(table, level, period)];
        return state !== SHOWN && state !== UNPUBLISHED;
      });
      if (!hidden) continue;
      for (const table of sharing) {
        const cell = casesTotalCell(table, level, period);
        if (table.protection.states[cell] === SHOWN) table.protection.states[cell] = (table.cube.values[cell] ?? 0) === 0 ? MASKED_ZERO : SECONDARY;
      }
    }
  }
  return { threshold, firstMonth, timeline, tables };
}

export type CellDisplay = 'count' | 'small' | 'hidden';

export interface Cell {
  display: CellDisplay;
  /** Only for shown counts: nothing else about a cell is ever given out. */
  value: number | null;
}

export interface TableSlice {
  spec: TableSpec;
  withheld: boolean;
  /** A month was asked for and the table is shown by quarter and year only. */
  notMonthly: boolean;
  /** One cell per row, then the total when the table has one; none when withheld. */
  cells: Cell[];
}

/** One period and level of a table, as published: shown counts, "<5" and hidden cells. */
export function sliceTable(table: ProtectedTable, period: string, level: LevelFilter): TableSlice | null {
  const { spec } = table;
  if (level !== 'all' && !spec.levels.includes(level)) return null;
  if (!spec.monthly && table.timeline.months.includes(period)) return { spec, withheld: false, notMonthly: true, cells: [] };
  const rows = spec.totals ? [...spec.rows.keys, 'total'] : spec.rows.keys;
  const indexes = rows.map((row) => table.cube.index([level, period, row]));
  // A period and level with any unpublished cell is not shown at all, rather than in part.
  if (table.withheld || indexes.some((index) => table.protection.states[index] === UNPUBLISHED)) return { spec, withheld: true, notMonthly: false, cells: [] };
  return {
    spec,
    withheld: false,
    notMonthly: false,
    cells: indexes.map((index): Cell => {
      const state = table.protection.states[index] ?? SHOWN;
      if (state === SHOWN) return { display: 'count', value: table.cube.values[index] ?? 0 };
      return { display: looksSmall(state) ? 'small' : 'hidden', value: null };
    }),
  };
}
