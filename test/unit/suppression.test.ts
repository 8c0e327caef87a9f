import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCube, isWithheld, looksSmall, oneWay, PRIMARY, protect, SECONDARY, SHOWN, UNPUBLISHED, type Cube, type Dimension, type Protection } from '../../src/statistics/suppression.js';
import { attackerView } from './suppression-attacker.js';

function leaves(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

/** A two-level hierarchy like months in quarters in a year: leaves, groups of two, and the total. */
function hierarchy(n: number): Dimension {
  const names = leaves('m', n);
  const groups = [];
  for (let i = 0; i < n; i += 2) groups.push({ key: `q${i / 2}`, members: names.slice(i, i + 2) });
  return { leaves: names, aggregates: [...groups, { key: 'year', members: names }] };
}

function cubeOf(dims: Dimension[], cells: readonly number[]): Cube {
  const sizes = dims.map((dim) => dim.leaves.length);
  return buildCube(dims, (coords) => {
    let at = 0;
    coords.forEach((coord, d) => {
      at = at * (sizes[d] ?? 1) + (dims[d]?.leaves.indexOf(coord) ?? 0);
    });
    return cells[at] ?? 0;
  });
}

/**
 * Checks the published table against the attacker: nothing small is shown, no small cell is pinned
 * down. A withheld table publishes nothing, which is safe by definition.
 */
function expectSafe(cube: Cube, protection: Protection): void {
  const { threshold, states } = protection;
  cube.values.forEach((value, cell) => {
    if (value >= 1 && value < threshold) expect([PRIMARY, UNPUBLISHED], `cell ${cube.coordsOf(cell).join('/')} = ${value}`).toContain(states[cell]);
  });
  if (isWithheld(protection)) return;
  for (const [cell, possible] of attackerView(cube, protection)) {
    expect(possible.length, `primary ${cube.coordsOf(cell).join('/')} (value ${cube.values[cell]}) has a single possible value`).toBeGreaterThanOrEqual(2);
  }
}

const smallCount = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 4 }) },
  { weight: 3, arbitrary: fc.integer({ min: 5, max: 14 }) },
);

const tableShape = fc.oneof(
  fc.record({ kind: fc.constant('one-way' as const), cols: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('two-way' as const), rows: fc.integer({ min: 1, max: 3 }), cols: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('periods' as const), periods: fc.constantFrom(2, 4), cols: fc.integer({ min: 1, max: 3 }) }),
);

interface TableShape {
  kind: 'one-way' | 'two-way' | 'periods';
  rows?: number;
  cols: number;
  periods?: number;
}

function dimsOf(shape: TableShape): Dimension[] {
  if (shape.kind === 'one-way') return [oneWay(leaves('c', shape.cols))];
  if (shape.kind === 'two-way') return [oneWay(leaves('r', shape.rows ?? 1)), oneWay(leaves('c', shape.cols))];
  return [hierarchy(shape.periods ?? 2), oneWay(leaves('c', shape.cols))];
}

describe('secondary suppression, property-based', () => {
  it('random tables never expose a count below the threshold, directly or through their margins', () => {
    fc.assert(
      fc.property(
        tableShape.chain((shape) => {
          const dims = dimsOf(shape);
          const size = dims.reduce((n, dim) => n * dim.leaves.length, 1);
          return fc.record({ shape: fc.constant(shape), cells: fc.array(smallCount, { minLength: size, maxLength: size }), threshold: fc.constantFrom(3, 4, 5) });
        }),
        ({ shape, cells, threshold }) => {
          const cube = cubeOf(dimsOf(shape), cells);
          expectSafe(cube, protect(cube, threshold));
        },
      ),
      { numRuns: 400, seed: 20260501 },
    );
  });

  it('withholds few tables: with random small counts, under 1% (real tables are less sparse)', () => {
    const samples = fc.sample(
      tableShape.chain((shape) => {
        const dims = dimsOf(shape);
        const size = dims.reduce((n, dim) => n * dim.leaves.length, 1);
        return fc.record({ shape: fc.constant(shape), cells: fc.array(smallCount, { minLength: size, maxLength: size }), threshold: fc.constantFrom(3, 4, 5) });
      }),
      { numRuns: 600, seed: 99 },
    );
    const withheld = samples.filter(({ shape, cells, threshold }) => isWithheld(protect(cubeOf(dimsOf(shape), cells), threshold)));
    expect(withheld.length / samples.length).toBeLessThan(0.01);
  });

  it('stays safe when other tables force some of its totals to be hidden too', () => {
    fc.assert(
      fc.property(fc.array(smallCount, { minLength: 6, maxLength: 6 }), fc.integer({ min: 0, max: 11 }), (cells, forced) => {
        const cube = cubeOf([oneWay(leaves('r', 2)), oneWay(leaves('c', 3))], cells);
        expectSafe(cube, protect(cube, 5, { hidden: [forced] }));
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('gives the same pattern for the same table (suppression is a function of the data)', () => {
    fc.assert(
      fc.property(fc.array(smallCount, { minLength: 8, maxLength: 8 }), (cells) => {
        const dims = [oneWay(leaves('r', 2)), oneWay(leaves('c', 4))];
        expect([...protect(cubeOf(dims, cells), 5).states]).toEqual([...protect(cubeOf(dims, cells), 5).states]);
      }),
      { numRuns: 100, seed: 11 },
    );
  });
});

/** Renders a one-way table the way a reader sees it: shown counts, "<5" and "x". */
function seen(cube: Cube, protection: Protection): string[] {
  return [...cube.values].map((value, i) => {
    const state = protection.states[i];
    return state === SHOWN ? String(value) : looksSmall(state ?? 0) ? '<' : 'x';
  });
}

describe('secondary suppression, hand-made cases', () => {
  // One-way tables: the leaves, then the total, as a reader sees them.
  const oneWayCases: { name: string; cells: number[]; threshold: number; expected: string[] }[] = [
    { name: 'nothing small: everything shown', cells: [12, 7, 30], threshold: 5, expected: ['12', '7', '30', '49'] },
    { name: 'zeros are not small', cells: [0, 9, 0], threshold: 5, expected: ['0', '9', '0', '9'] },
    { name: 'one small cell: the smallest other cell hides with it', cells: [3, 20, 8], threshold: 5, expected: ['<', '20', 'x', '31'] },
    { name: 'two small cells protect each other', cells: [3, 20, 2], threshold: 5, expected: ['<', '20', '<', '25'] },
    { name: 'a small total hides the table', cells: [2, 0, 1], threshold: 5, expected: ['<', '0', '<', '<'] },
    { name: 'one nonzero leaf equals its total: both small', cells: [0, 4, 0], threshold: 5, expected: ['0', '<', '0', '<'] },
    { name: 'a small cell may be moved down to zero by the reader, so its complement may sit at the threshold', cells: [1, 5], threshold: 5, expected: ['<', 'x', '6'] },
    { name: 'threshold 3 shows 3 and 4', cells: [1, 3, 4], threshold: 3, expected: ['<', 'x', '4', '8'] },
  ];

  for (const { name, cells, threshold, expected } of oneWayCases) {
    it(name, () => {
      const cube = cubeOf([oneWay(leaves('c', cells.length))], cells);
      const protection = protect(cube, threshold);
      expect(seen(cube, protection)).toEqual(expected);
      expectSafe(cube, protection);
    });
  }

  it('a two-way table with one small cell hides a rectangle of four, not a whole row', () => {
    // rows: girls, boys; columns: 0–5, 6–10, 11–15. Margins: row totals, column totals, grand total.
    const cube = cubeOf([oneWay(['girl', 'boy']), oneWay(['0-5', '6-10', '11-15'])], [2, 14, 9, 11, 16, 12]);
    const protection = protect(cube, 5);
    const hidden = [...protection.states].map((state, i) => (state === SHOWN ? null : cube.coordsOf(i).join('/'))).filter(Boolean);
    expect(hidden).toEqual(['girl/0-5', 'girl/11-15', 'boy/0-5', 'boy/11-15']);
    expect(protection.states[cube.index(['total', 'total'])]).toBe(SHOWN);
    expectSafe(cube, protection);
  });

  it('a month hidden in one view is not recovered from its quarter and the other months', () => {
    // Two quarters of two months each; one channel column plus the total.
    const cube = cubeOf([hierarchy(4), oneWay(['public', 'hotline'])], [3, 10, 9, 12, 8, 11, 7, 15]);
    const protection = protect(cube, 5);
    const state = (period: string, channel: string): number => protection.states[cube.index([period, channel])] ?? -1;
    expect(state('m0', 'public')).toBe(PRIMARY);
    // Another month of the same quarter is hidden for the same channel, so q0 − m1 is not m0.
    expect(state('m1', 'public')).toBe(SECONDARY);
    expect(state('q0', 'public')).toBe(SHOWN);
    expect(state('year', 'public')).toBe(SHOWN);
    expectSafe(cube, protection);
  });

  it('stops publishing a period when no pattern of "<5" and "x" can protect it', () => {
    // Threshold 3: the two months' "<3" counts of c1 sum to a "<3" quarter count, so both are 1,
    // and then each month's shown total gives away its c0 count. Hiding the totals cannot help:
    // a hidden total must stay at 3 or more, and c0 = 2 can only move down. So some cells are not
    // published at all (their table is not shown for those periods), and the totals stay shown.
    const cube = cubeOf([hierarchy(2), oneWay(['c0', 'c1'])], [2, 1, 2, 1]);
    const protection = protect(cube, 3);
    expect(isWithheld(protection)).toBe(false);
    expect([...protection.states].filter((state) => state === UNPUBLISHED).length).toBeGreaterThan(0);
    expect(protection.states[cube.index(['year', 'total'])]).toBe(SHOWN);
    expectSafe(cube, protection);
  });

  it('refuses a threshold below 3', () => {
    const cube = cubeOf([oneWay(['a'])], [1]);
    expect(() => protect(cube, 2)).toThrow(/threshold/);
  });
});
