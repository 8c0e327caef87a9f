import { describe, expect, it } from 'vitest';
import { currentQuarter, currentSchoolYear, hasBegun, parsePeriod, timeline } from '../../src/statistics/periods.js';

// 15 November 2026, 10:00 in Viet Nam.
const NOW = new Date('2026-11-15T03:00:00Z');

describe('the statistics time dimension', () => {
  it('accepts whole months, quarters, years and school years, and nothing finer or sliding', () => {
    expect(parsePeriod('2026-03', ['month'])?.months).toEqual(['2026-03']);
    expect(parsePeriod('2026-Q3', ['quarter'])?.months).toEqual(['2026-07', '2026-08', '2026-09']);
    expect(parsePeriod('SY2025', ['school_year'])?.months).toEqual(['2025-09', '2025-10', '2025-11', '2025-12', ...['01', '02', '03', '04', '05', '06', '07', '08'].map((m) => `2026-${m}`)]);
    for (const refused of ['2026-03-15', '2026-W10', '2026-02..2026-04', '2026-13', '26-03', '2026-Q5', 'SY26', '1999', ' 2026']) {
      expect(parsePeriod(refused, ['month', 'quarter', 'year', 'school_year']), refused).toBeNull();
    }
    // A kind the caller does not offer (the printed report has no months) is refused too.
    expect(parsePeriod('2026-03', ['quarter', 'school_year'])).toBeNull();
  });

  it('knows the current quarter and school year in Viet Nam time', () => {
    expect(currentQuarter(NOW).key).toBe('2026-Q4');
    expect(currentSchoolYear(NOW).key).toBe('SY2026');
    expect(currentSchoolYear(new Date('2026-08-20T03:00:00Z')).key).toBe('SY2025');
  });

  it('publishes recent months and quarters, every year and school year, and merges older months', () => {
    const line = timeline('2022-05', NOW);
    const { leaves, aggregates } = line.dimension;
    // Eight recent quarters that have begun: 2025-Q1 to 2026-Q4 (the rest of the school year is in the cube, as zeros).
    expect(line.periods.filter((p) => p.kind === 'quarter' && hasBegun(p, NOW)).map((p) => p.key)).toEqual([
      '2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4',
    ]);
    expect(line.months[0]).toBe('2025-01');
    expect(line.periods.filter((p) => p.kind === 'school_year').map((p) => p.key)).toEqual(['SY2021', 'SY2022', 'SY2023', 'SY2024', 'SY2025', 'SY2026']);
    // Older months become stretches between 1 January and 1 September, never published one by one.
    expect(line.leafOf('2022-05')).toBe('S2022-01');
    expect(line.leafOf('2022-10')).toBe('S2022-09');
    expect(line.dimension.unpublished?.('S2022-09')).toBe(true);
    expect(line.dimension.unpublished?.('2025-01')).toBe(false);
    // Every aggregate adds up exactly its months: no month is left out or counted twice.
    const monthsOf = (leaf: string): string[] => {
      const all: string[] = [];
      for (let year = 2021; year <= 2027; year += 1) for (let m = 1; m <= 12; m += 1) all.push(`${year}-${String(m).padStart(2, '0')}`);
      return all.filter((month) => line.leafOf(month) === leaf);
    };
    for (const period of line.periods.filter((p) => p.kind !== 'month')) {
      const members = aggregates.find((a) => a.key === period.key)?.members ?? [];
      expect(members.flatMap(monthsOf).sort(), period.key).toEqual([...period.months].sort());
    }
    expect(new Set(leaves).size).toBe(leaves.length);
  });
});
