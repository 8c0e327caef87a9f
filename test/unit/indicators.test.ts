import { describe, expect, it } from 'vitest';
import { computeIndicators } from '../../src/statistics/indicators.js';
import type { CountEntry } from '../../src/statistics/store.js';

/** Counters of a period: level, month, key and count, per metric. */
const source = (byMetric: Record<string, CountEntry[]>) => ({ entries: (metric: string) => byMetric[metric] ?? [] });

const triage = source({
  triage: [
    ['commune', '2026-01', 'h3', 5],
    ['school', '2026-01', 'h5', 5],
    // Outside the period, and a key no bucket has: neither counts.
    ['commune', '2025-12', 'h1', 100],
    ['commune', '2026-01', 'bogus', 50],
  ],
  emergency: [
    ['commune', '2026-01', 'yes', 3],
    ['commune', '2026-01', 'no', 1],
    ['commune', '2026-02', 'no', 4],
  ],
});

describe('quality indicators', () => {
  it('adds up the counters of the period and the chosen levels: medians to the bucket, rates in percent', () => {
    const all = computeIndicators(triage, ['2026-01'], 'all', 5);
    expect(all.find((indicator) => indicator.id === 'triage')).toMatchObject({ status: 'value', value: 3.5, unit: 'hours' });
    expect(computeIndicators(triage, ['2026-01'], 'school', 5).find((indicator) => indicator.id === 'triage')).toMatchObject({ value: 5.5 });
    expect(computeIndicators(triage, ['2026-01', '2026-02'], 'commune', 5).find((indicator) => indicator.id === 'emergency')).toMatchObject({
      status: 'value',
      value: 38,
      unit: 'percent',
    });
  });

  it('shows nothing measured on fewer cases than the threshold', () => {
    const few = computeIndicators(triage, ['2026-01'], 'commune', 6);
    expect(few.find((indicator) => indicator.id === 'triage')).toMatchObject({ status: 'too_few', value: null });
    expect(few.find((indicator) => indicator.id === 'plan')).toMatchObject({ status: 'too_few', value: null });
  });
});
