/**
 * An attacker for the suppression tests, written independently of the algorithm: it knows every
 * shown cell, that "<5" cells lie in 0..threshold−1, "x" cells are at least the threshold and
 * unpublished cells are counts, and
 * every equation the published totals imply. By exhaustive search with bounds propagation it finds
 * which values each suppressed cell can still take. Only for small tables.
 */
import { looksSmall, PRIMARY, SECONDARY, SHOWN, UNPUBLISHED, type Cube, type Protection } from '../../src/statistics/suppression.js';

interface Equation {
  vars: number[];
  coefs: number[];
  rhs: number;
}

function strides(sizes: readonly number[]): number[] {
  const result = new Array<number>(sizes.length).fill(1);
  for (let d = sizes.length - 2; d >= 0; d -= 1) result[d] = (result[d + 1] ?? 1) * (sizes[d + 1] ?? 1);
  return result;
}

/** Every "aggregate = sum of its members" equation of the cube, with the shown cells substituted. */
function equations(cube: Cube, states: Uint8Array): Equation[] {
  const sizes = cube.coords.map((list) => list.length);
  const step = strides(sizes);
  const found: Equation[] = [];
  for (const [d, dim] of cube.dims.entries()) {
    const leafIndex = new Map(dim.leaves.map((leaf, i) => [leaf, i]));
    for (const [a, aggregate] of dim.aggregates.entries()) {
      const aggAt = dim.leaves.length + a;
      const members = aggregate.members.map((m) => leafIndex.get(m) ?? -1);
      const otherTotal = cube.values.length / (sizes[d] ?? 1);
      for (let n = 0; n < otherTotal; n += 1) {
        // Decode the other dimensions' coordinates from n.
        let rest = n;
        let base = 0;
        for (let e = sizes.length - 1; e >= 0; e -= 1) {
          if (e === d) continue;
          const width = sizes[e] ?? 1;
          base += (rest % width) * (step[e] ?? 0);
          rest = Math.floor(rest / width);
        }
        const cells = [base + aggAt * (step[d] ?? 0), ...members.map((m) => base + m * (step[d] ?? 0))];
        const coefs = [1, ...members.map(() => -1)];
        const equation: Equation = { vars: [], coefs: [], rhs: 0 };
        cells.forEach((cell, i) => {
          const coef = coefs[i] ?? 0;
          if (states[cell] === SHOWN) equation.rhs -= coef * (cube.values[cell] ?? 0);
          else {
            equation.vars.push(cell);
            equation.coefs.push(coef);
          }
        });
        found.push(equation);
      }
    }
  }
  return found;
}

type Domains = Map<number, [number, number]>;

function propagate(eqs: readonly Equation[], domains: Domains): boolean {
  for (let changed = true; changed; ) {
    changed = false;
    for (const eq of eqs) {
      let low = 0;
      let high = 0;
      const terms = eq.vars.map((v, i) => {
        const [lo, hi] = domains.get(v) ?? [0, 0];
        const c = eq.coefs[i] ?? 0;
        const range: [number, number] = c > 0 ? [lo, hi] : [-hi, -lo];
        low += range[0];
        high += range[1];
        return range;
      });
      if (eq.vars.length === 0) {
        if (eq.rhs !== 0) return false;
        continue;
      }
      for (const [i, v] of eq.vars.entries()) {
        const [tlo, thi] = terms[i] ?? [0, 0];
        const newTlo = eq.rhs - (high - thi);
        const newThi = eq.rhs - (low - tlo);
        const c = eq.coefs[i] ?? 0;
        const [lo, hi] = domains.get(v) ?? [0, 0];
        const nlo = Math.max(lo, c > 0 ? newTlo : -newThi);
        const nhi = Math.min(hi, c > 0 ? newThi : -newTlo);
        if (nlo > nhi) return false;
        if (nlo !== lo || nhi !== hi) {
          domains.set(v, [nlo, nhi]);
          changed = true;
        }
      }
    }
  }
  return true;
}

function feasible(eqs: readonly Equation[], domains: Domains): boolean {
  if (!propagate(eqs, domains)) return false;
  let branch: number | null = null;
  let width = Infinity;
  for (const [v, [lo, hi]] of domains) {
    if (hi > lo && hi - lo < width) {
      branch = v;
      width = hi - lo;
    }
  }
  if (branch === null) return true;
  const [lo, hi] = domains.get(branch) ?? [0, 0];
  for (let value = lo; value <= hi; value += 1) {
    const copy: Domains = new Map(domains);
    copy.set(branch, [value, value]);
    if (feasible(eqs, copy)) return true;
  }
  return false;
}

/** The values a reader cannot rule out for each primary cell, keyed by cell index. */
export function attackerView(cube: Cube, protection: Protection): Map<number, number[]> {
  const { threshold, states } = protection;
  const eqs = equations(cube, states);
  const ceiling = Math.max(0, ...cube.values) + threshold;
  const domains: Domains = new Map();
  states.forEach((state, cell) => {
    if (looksSmall(state)) domains.set(cell, [0, threshold - 1]);
    if (state === SECONDARY) domains.set(cell, [threshold, ceiling]);
    if (state === UNPUBLISHED) domains.set(cell, [0, ceiling]);
  });
  const result = new Map<number, number[]>();
  for (const [cell, [lo, hi]] of domains) {
    if (states[cell] !== PRIMARY) continue;
    const possible: number[] = [];
    for (let value = lo; value <= hi && possible.length < 2; value += 1) {
      const trial: Domains = new Map(domains);
      trial.set(cell, [value, value]);
      if (feasible(eqs, trial)) possible.push(value);
    }
    result.set(cell, possible);
  }
  return result;
}
