/**
 * Process indicators: medians from the stored histograms, and rates. None is computed over fewer
 * cases than the threshold, and none gives its number of cases, so an indicator cannot be combined
 * with another to count a few children (docs/decisions/0010).
 */
import type { MessageKey } from '../i18n/vi.js';
import type { LevelFilter, Metric } from './dimensions.js';
import type { MonthKey } from './periods.js';
import type { Counts } from './store.js';

export type IndicatorId = 'triage' | 'emergency' | 'plan' | 'approval' | 'closure' | 'reopen';

export interface IndicatorValue {
  id: IndicatorId;
  label: MessageKey;
  hint: MessageKey;
  /** 'too_few' when fewer cases than the threshold were measured, including none. */
  status: 'value' | 'too_few';
  /** A percentage, a number of hours or a number of days. */
  value: number | null;
  unit: 'percent' | 'hours' | 'days';
}

interface Definition {
  id: IndicatorId;
  metric: Metric;
  label: MessageKey;
  hint: MessageKey;
  kind: 'rate' | 'median_hours' | 'median_days';
}

const DEFINITIONS: readonly Definition[] = [
  { id: 'triage', metric: 'triage', label: 'stats.indicator.triage', hint: 'stats.indicator.triage_hint', kind: 'median_hours' },
  { id: 'emergency', metric: 'emergency', label: 'stats.indicator.emergency', hint: 'stats.indicator.emergency_hint', kind: 'rate' },
  { id: 'plan', metric: 'plan', label: 'stats.indicator.plan', hint: 'stats.indicator.plan_hint', kind: 'rate' },
  { id: 'approval', metric: 'approval', label: 'stats.indicator.approval', hint: 'stats.indicator.approval_hint', kind: 'rate' },
  { id: 'closure', metric: 'closure_days', label: 'stats.indicator.closure', hint: 'stats.indicator.closure_hint', kind: 'median_days' },
  { id: 'reopen', metric: 'reopen', label: 'stats.indicator.reopen', hint: 'stats.indicator.reopen_hint', kind: 'rate' },
];

/** The buckets of src/statistics/contributions.ts as [from, to) in the indicator's unit. */
function bucketRange(kind: Definition['kind'], key: string): [number, number] | null {
  const match = /^([hdwmy])(\d+)$/.exec(key);
  if (!match) return null;
  const n = Number(match[2]);
  if (kind === 'median_hours') {
    if (match[1] === 'h') return [n, n + 1];
    if (match[1] === 'd') return n >= 60 ? [n * 24, Infinity] : [n * 24, (n + 1) * 24];
    return null;
  }
  switch (match[1]) {
    case 'd':
      return [n, n + 1];
    case 'w':
      return [n * 7, (n + 1) * 7];
    case 'm':
      return [n * 30, (n + 1) * 30];
    case 'y':
      return [731, Infinity];
    default:
      return null;
  }
}

/** The median, to the bucket's precision: the middle of the bucket the middle case falls in. */
export function medianOf(histogram: ReadonlyMap<string, number>, kind: Definition['kind']): number | null {
  const buckets = [...histogram]
    .map(([key, n]) => ({ range: bucketRange(kind, key), n }))
    .filter((bucket): bucket is { range: [number, number]; n: number } => bucket.range !== null && bucket.n > 0)
    .sort((a, b) => a.range[0] - b.range[0]);
  const total = buckets.reduce((sum, bucket) => sum + bucket.n, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const { range, n } of buckets) {
    seen += n;
    if (seen * 2 >= total) return range[1] === Infinity ? range[0] : (range[0] + range[1]) / 2;
  }
  return null;
}

/** The counts of a period, as loadCounts reads them. */
export type IndicatorSource = Pick<Counts, 'entries'>;

const range = (prefix: string, from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

/** Every key a metric's counter can have: the buckets of triageBucket and closureBucket, or yes/no. */
const KEYS: Partial<Record<Metric, readonly string[]>> = {
  triage: [...range('h', 0, 47), ...range('d', 2, 60)],
  closure_days: [...range('d', 0, 30), ...range('w', 4, 25), ...range('m', 6, 24), 'y2'],
};

export function computeIndicators(source: IndicatorSource, months: readonly MonthKey[], level: LevelFilter, threshold: number): IndicatorValue[] {
  const inPeriod = new Set<string>(months);
  const levels = new Set<string>(level === 'all' ? ['school', 'commune'] : [level]);
  return DEFINITIONS.map((definition): IndicatorValue => {
    const unit = definition.kind === 'rate' ? 'percent' : definition.kind === 'median_hours' ? 'hours' : 'days';
    // The counters there are, not every key of every month looked up: a national year has thousands of lookups.
    const histogram = new Map((KEYS[definition.metric] ?? ['yes', 'no']).map((key) => [key, 0]));
    for (const [counted, month, key, n] of source.entries(definition.metric)) {
      const sum = histogram.get(key);
      if (sum !== undefined && inPeriod.has(month) && levels.has(counted)) histogram.set(key, sum + n);
    }
    const measured = [...histogram.values()].reduce((sum, n) => sum + n, 0);
    const base = { id: definition.id, label: definition.label, hint: definition.hint, unit } as const;
    if (measured < threshold) return { ...base, status: 'too_few', value: null };
    if (definition.kind === 'rate') return { ...base, status: 'value', value: Math.round((100 * (histogram.get('yes') ?? 0)) / measured) };
    const median = medianOf(histogram, definition.kind);
    return { ...base, status: 'value', value: median === null ? null : Math.round(median * 10) / 10 };
  });
}
