/**
 * Samplers over the seeded PRNG (src/demo/random.ts), so a seeded database is the same on every run
 * and the benchmark compares like with like. Shared by the national seed and src/statistics/bench.ts.
 */
import type { Random } from '../../src/demo/random.js';

export { seededRandom, type Random } from '../../src/demo/random.js';

export function pick<T>(rnd: Random, items: readonly T[]): T {
  const item = items[Math.floor(rnd() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** An integer in [min, max]. */
export function between(rnd: Random, min: number, max: number): number {
  return min + Math.floor(rnd() * (max - min + 1));
}

/**
 * Draws items in proportion to their weights in constant time (Walker's alias method): a million
 * draws over ten thousand communes must not scan the list each time.
 */
export class WeightedPicker<T> {
  private readonly probability: Float64Array;
  private readonly alias: Uint32Array;

  constructor(
    private readonly items: readonly T[],
    weights: readonly number[],
  ) {
    const n = items.length;
    if (n === 0 || weights.length !== n) throw new Error('weights must match a non-empty list');
    const total = weights.reduce((sum, w) => sum + w, 0);
    const scaled = weights.map((w) => (w * n) / total);
    this.probability = new Float64Array(n);
    this.alias = new Uint32Array(n);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      this.probability[s] = scaled[s] as number;
      this.alias[s] = l;
      scaled[l] = (scaled[l] as number) + (scaled[s] as number) - 1;
      ((scaled[l] as number) < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) this.probability[i] = 1;
  }

  draw(rnd: Random): T {
    const i = Math.floor(rnd() * this.items.length);
    const chosen = rnd() < (this.probability[i] as number) ? i : (this.alias[i] as number);
    return this.items[chosen] as T;
  }
}

/** A picker from [item, weight] pairs, for the small hand-written distributions. */
export function weighted<T>(pairs: readonly (readonly [T, number])[]): WeightedPicker<T> {
  return new WeightedPicker(
    pairs.map(([item]) => item),
    pairs.map(([, weight]) => weight),
  );
}
