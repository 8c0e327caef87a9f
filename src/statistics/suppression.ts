/**
 * Disclosure control for published counts (docs/decisions/0010): primary suppression of small
 * counts and secondary suppression so that no suppressed count can be worked out from the totals,
 * the other periods or the other organisation levels that are published alongside it.
 *
 * A table here is a cube: every dimension has leaves (channels, months, age bands) and published
 * aggregates over them (a total, a quarter, a year, a school year), and every combination of a leaf
 * or an aggregate per dimension is a cell. Each aggregate is an equation a reader can use
 * (quarter = its three months), so the cube holds every equation linking what is published.
 *
 * What a reader knows: every shown cell exactly; a cell shown as "<5" lies in 0..threshold−1 (a
 * small count, or a zero masked to protect one: "fewer than 5" is true of both); a cell shown as
 * "x" was hidden to protect another, and is at least the threshold.
 *
 * The guarantee: for every primary cell we keep a witness — a second table that agrees with every
 * shown cell and every bound above, and differs in that cell. The witness is a direction in which
 * every equation stays balanced: in each dimension, one leaf up and one leaf down (or one leaf up
 * with all aggregates that contain it), multiplied across dimensions. Stepping the whole table one
 * unit along it keeps the reader's picture the same, so the reader cannot tell the true value from
 * the stepped one. Hiding more never breaks a witness, which is why suppressions from several
 * tables can be combined by taking their union.
 */

export interface Aggregate {
  readonly key: string;
  /** Leaves of the same dimension whose sum the aggregate is. */
  readonly members: readonly string[];
}

export interface Dimension {
  readonly leaves: readonly string[];
  readonly aggregates: readonly Aggregate[];
  /** How much a reader loses when a coordinate is hidden, relative to a leaf (totals matter more). */
  readonly weight?: (coord: string) => number;
  /** The leaves a leaf may be paired with in a witness; all other leaves when absent. */
  readonly partners?: (leaf: string) => readonly string[];
  /** Coordinates never published (months too old to show one by one): their cells are unknown to every reader. */
  readonly unpublished?: (coord: string) => boolean;
}

export const SHOWN = 0;
/** A count from 1 to threshold−1, shown as "<5". */
export const PRIMARY = 1;
/** A count of at least the threshold hidden to protect a small one, shown as "x". */
export const SECONDARY = 2;
/** A zero hidden to protect a small count, shown as "<5" like one. */
export const MASKED_ZERO = 3;
/**
 * Not published at all: the reader knows nothing of it but that it is a count. The last resort for a
 * small count no pattern of "<5" and "x" can protect; its table is then not shown for that period.
 */
export const UNPUBLISHED = 4;
export type CellState = typeof SHOWN | typeof PRIMARY | typeof SECONDARY | typeof MASKED_ZERO | typeof UNPUBLISHED;

/** Whether the reader sees "<5" (rather than "x" or a number). */
export function looksSmall(state: number): boolean {
  return state === PRIMARY || state === MASKED_ZERO;
}

/** Dense storage of every cell; coordinates of a dimension are its leaves, then its aggregates. */
export interface Cube {
  readonly dims: readonly Dimension[];
  readonly coords: readonly (readonly string[])[];
  readonly values: Float64Array;
  index(coords: readonly string[]): number;
  coordsOf(index: number): string[];
}

export interface Protection {
  readonly threshold: number;
  readonly states: Uint8Array;
  /**
   * Primary cells no witness could be found for. Some tiny tables have none at all (with threshold 3,
   * two "<3" cells summing to a "<3" total pin each other down), so the table is withheld whole.
   */
  readonly unprotected: readonly number[];
}

/** A table is published only when every small count in it has a witness; otherwise none of it is. */
export function isWithheld(protection: Protection): boolean {
  return protection.unprotected.length > 0;
}

/** A reader's step in one dimension: coordinate index and sign (+1 or −1). */
type Direction = readonly (readonly [number, number])[];

/** Counts never go below this threshold in any deployment, whatever the configuration says. */
export const MIN_THRESHOLD = 3;

/** Cubes larger than this are a design error (too many dimensions), not a workload. */
const MAX_CELLS = 2_000_000;
/** How many witness candidates are tried per primary cell before the cheapest found so far is used. */
const MAX_CANDIDATES = 1_500;
/** Products tried after the first witness that fits, looking for a cheaper one. */
const SEARCH_AFTER_FOUND = 40;
/** Steps kept per dimension for one primary cell, those through fewest shown zeros first. */
const MAX_STEPS_PER_DIMENSION = 24;
/** Products tried, and steps per dimension, when a witness needs a second product to stay in bounds. */
const REPAIR_CANDIDATES = 60;
const REPAIR_STEPS_PER_DIMENSION = 8;
/** What masking a zero costs, against hiding a count of this size: a zero says little, but "<5" says less. */
const ZERO_COST = 1;

function strideOf(sizes: readonly number[]): number[] {
  const strides = new Array<number>(sizes.length).fill(1);
  for (let d = sizes.length - 2; d >= 0; d -= 1) strides[d] = (strides[d + 1] ?? 1) * (sizes[d + 1] ?? 1);
  return strides;
}

/**
 * Builds the cube from the leaf values; every aggregate cell is the sum of its members, so the
 * cube is consistent by construction (a published total always equals what it totals).
 */
export function buildCube(dims: readonly Dimension[], leafValue: (leaves: readonly string[]) => number): Cube {
  const leafSizes = dims.map((dim) => dim.leaves.length);
  const leafValues = new Float64Array(leafSizes.reduce((product, n) => product * n, 1));
  const position = new Array<number>(dims.length).fill(0);
  for (let n = 0; n < leafValues.length; n += 1) {
    let rest = n;
    for (let d = dims.length - 1; d >= 0; d -= 1) {
      const width = leafSizes[d] ?? 1;
      position[d] = rest % width;
      rest = Math.floor(rest / width);
    }
    leafValues[n] = leafValue(position.map((i, d) => dims[d]?.leaves[i] ?? ''));
  }
  return assembleCube(dims, leafValues);
}

/** The cube over leaf values laid out row-major over the dimensions' leaves. */
function assembleCube(dims: readonly Dimension[], leafValues: Float64Array): Cube {
  const coords = dims.map((dim) => [...dim.leaves, ...dim.aggregates.map((aggregate) => aggregate.key)]);
  for (const [d, list] of coords.entries()) {
    if (new Set(list).size !== list.length) throw new Error(`dimension ${d} repeats a coordinate`);
  }
  const sizes = coords.map((list) => list.length);
  const strides = strideOf(sizes);
  const size = sizes.reduce((product, n) => product * n, 1);
  if (size > MAX_CELLS) throw new Error(`cube of ${size} cells is too large`);
  const values = new Float64Array(size);
  const lookup = coords.map((list) => new Map(list.map((coord, i) => [coord, i])));
  const memberIndexes = dims.map((dim, d) =>
    dim.aggregates.map((aggregate) =>
      aggregate.members.map((member) => {
        const at = lookup[d]?.get(member);
        if (at === undefined || at >= dim.leaves.length) throw new Error(`aggregate ${aggregate.key} names unknown leaf ${member}`);
        return at;
      }),
    ),
  );

  const leafSizes = dims.map((dim) => dim.leaves.length);
  const leafStrides = strideOf(leafSizes);
  for (let n = 0; n < leafValues.length; n += 1) {
    const value = leafValues[n] ?? 0;
    if (!Number.isInteger(value) || value < 0) throw new Error('cell values must be non-negative integers');
    let at = 0;
    for (let d = 0; d < dims.length; d += 1) at += (Math.floor(n / (leafStrides[d] ?? 1)) % (leafSizes[d] ?? 1)) * (strides[d] ?? 0);
    values[at] = value;
  }

  // Dimension by dimension: aggregates of dimension d over cells whose later dimensions are leaves,
  // whose earlier dimensions are anything (those were filled by the earlier passes).
  for (let d = 0; d < dims.length; d += 1) {
    const ranges = sizes.map((n, e) => (e > d ? (leafSizes[e] ?? 0) : n));
    ranges[d] = 1;
    const total = ranges.reduce((product, n) => product * n, 1);
    const stride = strides[d] ?? 0;
    for (let n = 0; n < total; n += 1) {
      let rest = n;
      let base = 0;
      for (let e = dims.length - 1; e >= 0; e -= 1) {
        const width = ranges[e] ?? 1;
        base += (rest % width) * (strides[e] ?? 0);
        rest = Math.floor(rest / width);
      }
      const aggregates = memberIndexes[d] ?? [];
      for (let a = 0; a < aggregates.length; a += 1) {
        const members = aggregates[a] ?? [];
        let sum = 0;
        for (let m = 0; m < members.length; m += 1) sum += values[base + (members[m] ?? 0) * stride] ?? 0;
        values[base + ((leafSizes[d] ?? 0) + a) * stride] = sum;
      }
    }
  }

  return cubeOf(dims, values);
}

/** The cube over values already computed (sent back by the statistics worker), without adding them up again. */
export function cubeOf(dims: readonly Dimension[], values: Float64Array): Cube {
  const coords = dims.map((dim) => [...dim.leaves, ...dim.aggregates.map((aggregate) => aggregate.key)]);
  const sizes = coords.map((list) => list.length);
  const strides = strideOf(sizes);
  if (sizes.reduce((product, n) => product * n, 1) !== values.length) throw new Error('values do not fit the dimensions');
  const lookup = coords.map((list) => new Map(list.map((coord, i) => [coord, i])));
  return {
    dims,
    coords,
    values,
    index(cellCoords) {
      let at = 0;
      for (let d = 0; d < dims.length; d += 1) {
        const i = lookup[d]?.get(cellCoords[d] ?? '');
        if (i === undefined) throw new Error(`unknown coordinate ${cellCoords[d]} in dimension ${d}`);
        at += i * (strides[d] ?? 0);
      }
      return at;
    },
    coordsOf(index) {
      return coords.map((list, d) => list[Math.floor(index / (strides[d] ?? 1)) % (sizes[d] ?? 1)] ?? '');
    },
  };
}

/**
 * Builds the cube from sparse leaf counts: `fill` calls `add` once per count with its leaf
 * coordinates (the array may be reused between calls); counts meeting in one cell add up. A
 * coordinate that is not a leaf is an error, so nothing counted goes missing.
 */
export function buildCubeFrom(dims: readonly Dimension[], fill: (add: (coords: readonly string[], value: number) => void) => void): Cube {
  const lookup = dims.map((dim) => new Map(dim.leaves.map((leaf, i) => [leaf, i])));
  const sizes = dims.map((dim) => dim.leaves.length);
  const leafValues = new Float64Array(sizes.reduce((product, n) => product * n, 1));
  fill((coords, value) => {
    let at = 0;
    for (let d = 0; d < dims.length; d += 1) {
      const i = lookup[d]?.get(coords[d] ?? '');
      if (i === undefined) throw new Error(`count for unknown coordinate ${coords[d]}`);
      at = at * (sizes[d] ?? 1) + i;
    }
    leafValues[at] = (leafValues[at] ?? 0) + value;
  });
  return assembleCube(dims, leafValues);
}

/** The steps of one dimension a witness is built from. */
interface Steps {
  leafCount: number;
  /** Every step that moves coordinate `at`, shortest first (cached per coordinate). */
  through(at: number): Direction[];
  /** One leaf up, with every aggregate that contains it. */
  single(leaf: number): Direction;
  /** One leaf up and another down; aggregates holding both do not move. */
  pair(a: number, b: number): Direction;
  members(aggregate: number): ReadonlySet<number>;
}

function stepsOf(dim: Dimension, coordCount: number): Steps {
  const leafCount = dim.leaves.length;
  const leafIndex = new Map(dim.leaves.map((leaf, i) => [leaf, i]));
  const containing: number[][] = dim.leaves.map(() => []);
  const memberSets = dim.aggregates.map((aggregate, a) => {
    const set = new Set<number>();
    for (const member of aggregate.members) {
      const i = leafIndex.get(member) ?? -1;
      set.add(i);
      containing[i]?.push(leafCount + a);
    }
    return set;
  });
  const partnerIndexes = (leaf: number): number[] => {
    const named = dim.partners?.(dim.leaves[leaf] ?? '');
    if (!named) return dim.leaves.map((_, i) => i).filter((i) => i !== leaf);
    return named.map((name) => leafIndex.get(name) ?? -1).filter((i) => i >= 0 && i !== leaf);
  };
  const single = (a: number): Direction => [[a, 1], ...(containing[a] ?? []).map((agg) => [agg, 1] as const)];
  const pair = (a: number, b: number): Direction => {
    const steps: [number, number][] = [
      [a, 1],
      [b, -1],
    ];
    for (const [i, members] of memberSets.entries()) {
      const change = (members.has(a) ? 1 : 0) - (members.has(b) ? 1 : 0);
      if (change !== 0) steps.push([leafCount + i, change]);
    }
    return steps;
  };
  const cache = new Map<number, Direction[]>();
  return {
    leafCount,
    single,
    pair,
    members: (aggregate) => memberSets[aggregate - leafCount] ?? new Set<number>(),
    through(at) {
      const cached = cache.get(at);
      if (cached) return cached;
      if (at < 0 || at >= coordCount) throw new Error('coordinate out of range');
      const found: Direction[] = [];
      if (at < leafCount) {
        found.push(single(at));
        for (const b of partnerIndexes(at)) found.push(pair(at, b));
      } else {
        const members = memberSets[at - leafCount] ?? new Set<number>();
        for (const a of members) {
          found.push(single(a));
          for (const b of partnerIndexes(a)) if (!members.has(b)) found.push(pair(a, b));
        }
      }
      found.sort((x, y) => x.length - y.length);
      cache.set(at, found);
      return found;
    },
  };
}

/** Whether a cell may take part in a witness that moves it by `change`, and what hiding it costs. */
function stepCost(value: number, state: number, change: number, threshold: number, weight: number): number {
  const next = value + change;
  if (state === PRIMARY || state === MASKED_ZERO) return next >= 0 && next <= threshold - 1 ? 0 : Infinity;
  if (state === SECONDARY) return next >= threshold ? 0 : Infinity;
  if (state === UNPUBLISHED) return next >= 0 ? 0 : Infinity;
  // Shown: a zero can be masked as "<5" if the witness raises it; a count can become "x" if it stays large.
  if (value === 0) return next >= 0 && next <= threshold - 1 ? ZERO_COST * weight : Infinity;
  return next >= threshold ? value * weight : Infinity;
}

/** Everything the witness search reads, built once per table. */
interface SearchContext {
  readonly values: Float64Array;
  readonly states: Uint8Array;
  /** What hiding each cell costs per unit of its value: the product of its coordinates' weights. */
  readonly weights: Float64Array;
  readonly sizes: readonly number[];
  readonly strides: readonly number[];
  readonly threshold: number;
  readonly steps: readonly Steps[];
}

/** A step of one dimension, with what its own line through p costs (a lower bound for any product using it). */
interface RankedStep {
  direction: Direction;
  cost: number;
}

/** A witness: the cells it moves and by how much, and what hiding its shown cells costs. */
interface Witness {
  cells: number[];
  changes: number[];
  cost: number;
}

function cellWeights(sizes: readonly number[], weights: readonly (readonly number[])[], size: number): Float64Array {
  const result = new Float64Array(size).fill(1);
  let stride = size;
  for (const [d, n] of sizes.entries()) {
    stride /= n;
    const list = weights[d] ?? [];
    for (let i = 0; i < size; i += 1) result[i] = (result[i] ?? 1) * (list[Math.floor(i / stride) % n] ?? 1);
  }
  return result;
}

/** Whether a step of this cost and length ranks before `other`: cheaper, then shorter. */
function ranksBefore(cost: number, length: number, other: RankedStep): boolean {
  return cost < other.cost || (cost === other.cost && length < other.direction.length);
}

/**
 * The steps of each dimension through p, with the cost of their line through p, cheapest first.
 * With `sign` (how p moves), steps whose line leaves a reader's bounds are dropped: every line
 * through p is part of a product witness, so they could never be used.
 *
 * Only the `limit` cheapest are kept, in the order a stable sort would give them: a dimension of a
 * province's communes has hundreds of steps through each cell, and sorting them all for every cell
 * to protect took 40 % of a province's statistics (2.4 s of CPU for the largest, 1.4 s without).
 */
function rankedSteps(context: SearchContext, p: number, sign: number | null, limit: number): RankedStep[][] {
  const { values, states, weights, strides, sizes, threshold } = context;
  return sizes.map((n, d) => {
    const stride = strides[d] ?? 1;
    const at = Math.floor(p / stride) % n;
    const ranked: RankedStep[] = [];
    // Indexed loops: this runs for every step through every cell to protect.
    const directions = context.steps[d]?.through(at) ?? [];
    for (let i = 0; i < directions.length; i += 1) {
      const direction = directions[i] as Direction;
      let cost = 0;
      for (let j = 0; j < direction.length && cost !== Infinity; j += 1) {
        const [coord, s] = direction[j] as Direction[number];
        if (coord === at) continue;
        const cell = p + (coord - at) * stride;
        const value = values[cell] ?? 0;
        cost +=
          sign === null
            ? states[cell] === SHOWN
              ? Math.max(ZERO_COST, value)
              : 0
            : stepCost(value, states[cell] ?? 0, sign * s, threshold, weights[cell] ?? 1);
      }
      if (cost === Infinity) continue;
      // Full, and not better than the last kept: skipped without building a step.
      const worst = ranked[limit - 1];
      if (ranked.length >= limit && !(worst && ranksBefore(cost, direction.length, worst))) continue;
      // After every kept step it does not rank before, so equal steps keep the order they came in.
      let position = ranked.length;
      while (position > 0 && ranksBefore(cost, direction.length, ranked[position - 1] as RankedStep)) position -= 1;
      ranked.splice(position, 0, { direction, cost });
      if (ranked.length > limit) ranked.pop();
    }
    return ranked;
  });
}

/** The cells of a product of steps and how each moves, p moving by `sign`. */
function expand(context: SearchContext, steps: readonly Direction[], sign: number): { cells: number[]; changes: number[] } {
  let cells = [0];
  let changes = [sign];
  for (const [d, direction] of steps.entries()) {
    const stride = context.strides[d] ?? 0;
    const nextCells: number[] = [];
    const nextChanges: number[] = [];
    for (const [i, cell] of cells.entries()) {
      for (const [coord, s] of direction) {
        nextCells.push(cell + coord * stride);
        nextChanges.push((changes[i] ?? 0) * s);
      }
    }
    cells = nextCells;
    changes = nextChanges;
  }
  return { cells, changes };
}

/** What a witness costs, or Infinity if a reader could rule it out (or it costs `limit` or more). */
function witnessCost(context: SearchContext, cells: readonly number[], changes: readonly number[], limit: number): number {
  let cost = 0;
  for (const [i, cell] of cells.entries()) {
    const change = changes[i] ?? 0;
    if (change === 0) continue;
    cost += stepCost(context.values[cell] ?? 0, context.states[cell] ?? 0, change, context.threshold, context.weights[cell] ?? 1);
    if (cost >= limit) return Infinity;
  }
  return cost;
}

/** Mixed-radix code of a product's step indexes, for the search's visited set. */
function encode(indexes: readonly number[], ranked: readonly RankedStep[][]): number {
  let code = 0;
  for (let d = 0; d < indexes.length; d += 1) code = code * (ranked[d]?.length ?? 1) + (indexes[d] ?? 0);
  return code;
}

function lowerBound(indexes: readonly number[], ranked: readonly RankedStep[][]): number {
  let sum = 0;
  for (let d = 0; d < indexes.length; d += 1) sum += ranked[d]?.[indexes[d] ?? 0]?.cost ?? Infinity;
  return sum;
}

/**
 * Products of one ranked step per dimension, in order of their lower bound (the sum of their lines'
 * costs), handed to `visit` until it returns true, the bound reaches `limit()`, or `budget` products
 * have been visited.
 */
function forEachProduct(ranked: RankedStep[][], budget: number, limit: () => number, visit: (steps: Direction[]) => boolean): void {
  if (ranked.some((list) => list.length === 0)) return;
  const first = ranked.map(() => 0);
  // Kept sorted by bound; it rarely holds more than a few hundred entries.
  const queue: { indexes: number[]; bound: number }[] = [{ indexes: first, bound: lowerBound(first, ranked) }];
  const seen = new Set<number>([0]);
  for (let visited = 0; visited < budget; visited += 1) {
    const next = queue.shift();
    if (!next || next.bound >= limit()) return;
    if (visit(next.indexes.map((i, d) => ranked[d]?.[i]?.direction ?? []))) return;
    for (let d = 0; d < next.indexes.length; d += 1) {
      if ((next.indexes[d] ?? 0) + 1 >= (ranked[d]?.length ?? 0)) continue;
      const indexes = next.indexes.slice();
      indexes[d] = (indexes[d] ?? 0) + 1;
      const key = encode(indexes, ranked);
      if (seen.has(key)) continue;
      seen.add(key);
      const bound = lowerBound(indexes, ranked);
      let at = queue.length;
      while (at > 0 && (queue[at - 1]?.bound ?? 0) > bound) at -= 1;
      queue.splice(at, 0, { indexes, bound });
    }
  }
}

/** Running total of a product walk; one object per search, so the walk allocates nothing. */
interface Walk {
  cost: number;
  limit: number;
}

/** Adds the cost of the product's cells below dimension d to `walk`; false once out of bounds or past the limit. */
function walkProduct(context: SearchContext, steps: readonly Direction[], d: number, index: number, change: number, walk: Walk): boolean {
  if (d === steps.length) {
    walk.cost += stepCost(context.values[index] ?? 0, context.states[index] ?? 0, change, context.threshold, context.weights[index] ?? 1);
    return walk.cost < walk.limit;
  }
  const stride = context.strides[d] ?? 0;
  for (const [coord, s] of steps[d] ?? []) if (!walkProduct(context, steps, d + 1, index + coord * stride, change * s, walk)) return false;
  return true;
}

/**
 * A cheap product witness for p, trying p down and up: products in order of their lower bound,
 * stopping at a free one (all its cells already hidden), or a few products after the first that
 * fits (the cheapest pattern is not worth a long search), or when the budget is spent.
 */
function cheapestProduct(context: SearchContext, p: number): Witness | null {
  // Held in an object: the search callbacks update it, which flow analysis would not follow on a `let`.
  const found: { steps: Direction[]; sign: number; cost: number; since: number } = { steps: [], sign: 0, cost: Infinity, since: 0 };
  const walk: Walk = { cost: 0, limit: Infinity };
  const limit = (): number => found.cost;
  for (const sign of [-1, 1]) {
    forEachProduct(rankedSteps(context, p, sign, MAX_STEPS_PER_DIMENSION), MAX_CANDIDATES, limit, (steps) => {
      if (found.cost !== Infinity && (found.since += 1) > SEARCH_AFTER_FOUND) return true;
      walk.cost = 0;
      walk.limit = found.cost;
      if (!walkProduct(context, steps, 0, 0, sign, walk)) return false;
      Object.assign(found, { steps, sign, cost: walk.cost });
      return walk.cost === 0;
    });
    if (found.cost === 0) break;
  }
  return found.cost === Infinity ? null : { ...expand(context, found.steps, found.sign), cost: found.cost };
}

/**
 * When no single product fits, a product with one out-of-bounds cell plus a second product through
 * that cell that puts it right (a small cell at the edge of its range, or a hidden total exactly at
 * the threshold, can need that). Rare, so kept small.
 */
function cheapestRepair(context: SearchContext, p: number): Witness | null {
  const found: { best: Witness | null } = { best: null };
  const unlimited = (): number => Infinity;
  const free = (): boolean => found.best?.cost === 0;
  for (const sign of [-1, 1]) {
    forEachProduct(rankedSteps(context, p, null, REPAIR_STEPS_PER_DIMENSION), REPAIR_CANDIDATES, unlimited, (steps) => {
      const first = expand(context, steps, sign);
      const wrong = first.cells.filter((cell, i) => stepCost(context.values[cell] ?? 0, context.states[cell] ?? 0, first.changes[i] ?? 0, context.threshold, 1) === Infinity);
      const [cell] = wrong;
      if (wrong.length !== 1 || cell === undefined) return false;
      const change = first.changes[first.cells.indexOf(cell)] ?? 0;
      forEachProduct(rankedSteps(context, cell, null, REPAIR_STEPS_PER_DIMENSION), REPAIR_CANDIDATES, unlimited, (fixSteps) => {
        // The fix moves the wrong cell back by as much as the first product moved it.
        const fix = expand(context, fixSteps, -change);
        const total = new Map<number, number>();
        first.cells.forEach((c, i) => total.set(c, (total.get(c) ?? 0) + (first.changes[i] ?? 0)));
        fix.cells.forEach((c, i) => total.set(c, (total.get(c) ?? 0) + (fix.changes[i] ?? 0)));
        if ((total.get(p) ?? 0) === 0) return false;
        const cells = [...total.keys()].filter((c) => total.get(c) !== 0);
        const changes = cells.map((c) => total.get(c) ?? 0);
        const cost = witnessCost(context, cells, changes, found.best?.cost ?? Infinity);
        if (cost !== Infinity) found.best = { cells, changes, cost };
        return free();
      });
      return free();
    });
    if (free()) break;
  }
  return found.best;
}

/**
 * The last resort: a witness made of cells that stop being published. From p, go down to a leaf
 * cell under it with a count of at least 1; step that leaf down with every aggregate above it in
 * each dimension (all those counts are at least 1, so none goes below 0), and in the last dimension
 * swap it with another leaf so that the table's total does not move (other tables may publish the
 * same total, so a total keeps what the reader knows of it). Returns the cells to unpublish, or null
 * if even this cannot work.
 */
function unpublishedWitness(context: SearchContext, p: number): number[] | null {
  const { values, states, strides, sizes, threshold } = context;
  const last = sizes.length - 1;
  const position = sizes.map((n, d) => Math.floor(p / (strides[d] ?? 1)) % n);
  let base = p;
  const leaves = position.map((at, d) => {
    const steps = context.steps[d];
    if (!steps || at < steps.leafCount) return at;
    for (const member of steps.members(at)) {
      const cell = base + (member - at) * (strides[d] ?? 0);
      if ((values[cell] ?? 0) >= 1) {
        base = cell;
        return member;
      }
    }
    return at;
  });
  const fixed = leaves.slice(0, last).map((leaf, d) => context.steps[d]?.single(leaf) ?? []);
  const lastSteps = context.steps[last];
  const lastLeaf = leaves[last] ?? 0;
  if (!lastSteps) return null;
  const candidates =
    (position[last] ?? 0) < lastSteps.leafCount && lastSteps.leafCount > 1 && lastSteps.members(lastSteps.leafCount).size > 0
      ? Array.from({ length: lastSteps.leafCount }, (_, b) => b).filter((b) => b !== lastLeaf).map((b) => lastSteps.pair(lastLeaf, b))
      : [lastSteps.single(lastLeaf)];
  const lastStride = strides[last] ?? 1;
  // Totals of the last dimension may be published by other tables too: they keep what the reader knows of them.
  const isTotal = (cell: number): boolean => Math.floor(cell / lastStride) % (sizes[last] ?? 1) >= lastSteps.leafCount;
  for (const direction of candidates) {
    const { cells, changes } = expand(context, [...fixed, direction], -1);
    const fits = cells.every((cell, i) => {
      const change = changes[i] ?? 0;
      if (change === 0) return true;
      if (isTotal(cell)) return stepCost(values[cell] ?? 0, states[cell] ?? 0, change, threshold, 1) !== Infinity;
      return (values[cell] ?? 0) + change >= 0;
    });
    if (fits && cells.includes(p)) return cells.filter((cell, i) => (changes[i] ?? 0) !== 0 && !isTotal(cell));
  }
  return null;
}

/** Cells with a coordinate that is never published start out unpublished, whatever their count. */
function markUnpublished(dims: readonly Dimension[], coords: readonly (readonly string[])[], states: Uint8Array): void {
  const sizes = coords.map((list) => list.length);
  const strides = strideOf(sizes);
  for (const [d, dim] of dims.entries()) {
    const hidden = (coords[d] ?? []).map((coord) => dim.unpublished?.(coord) ?? false);
    if (!hidden.includes(true)) continue;
    const n = sizes[d] ?? 1;
    const stride = strides[d] ?? 1;
    for (let i = 0; i < states.length; i += 1) if (hidden[Math.floor(i / stride) % n]) states[i] = UNPUBLISHED;
  }
}

export interface ProtectOptions {
  /** Cells that start out hidden as "x" (a total another table had to hide). */
  hidden?: Iterable<number>;
  /** Cells never published (a table shown by quarter and year only does not publish its months). */
  unpublished?: Iterable<number>;
}

/**
 * Primary suppression of counts 1..threshold−1, then the cheapest secondary suppressions that give
 * every primary cell a witness. Deterministic: the same cube always gets the same pattern.
 */
export function protect(cube: Cube, threshold: number, options: ProtectOptions = {}): Protection {
  if (!Number.isInteger(threshold) || threshold < MIN_THRESHOLD) throw new Error(`threshold must be an integer of at least ${MIN_THRESHOLD}`);
  const { dims, coords, values } = cube;
  const sizes = coords.map((list) => list.length);
  const states = new Uint8Array(values.length);
  for (const [i, value] of values.entries()) if (value >= 1 && value < threshold) states[i] = PRIMARY;
  markUnpublished(dims, coords, states);
  for (const i of options.unpublished ?? []) states[i] = UNPUBLISHED;
  for (const i of options.hidden ?? []) if (states[i] === SHOWN && (values[i] ?? 0) >= threshold) states[i] = SECONDARY;
  const strides = strideOf(sizes);
  const context: SearchContext = {
    values,
    states,
    weights: cellWeights(
      sizes,
      dims.map((dim, d) => (coords[d] ?? []).map((coord) => dim.weight?.(coord) ?? 1)),
      values.length,
    ),
    sizes,
    strides,
    threshold,
    steps: dims.map((dim, d) => stepsOf(dim, sizes[d] ?? 0)),
  };
  const unprotected: number[] = [];
  for (let p = 0; p < values.length; p += 1) {
    if (states[p] !== PRIMARY) continue;
    const witness = cheapestProduct(context, p) ?? cheapestRepair(context, p);
    if (witness) {
      for (const cell of witness.cells) if (states[cell] === SHOWN) states[cell] = (values[cell] ?? 0) === 0 ? MASKED_ZERO : SECONDARY;
      continue;
    }
    const unpublished = unpublishedWitness(context, p);
    if (!unpublished) {
      unprotected.push(p);
      continue;
    }
    for (const cell of unpublished) states[cell] = UNPUBLISHED;
  }
  return { threshold, states, unprotected };
}

/** A 1-D table with its total, the commonest case: leaves then 'total'. */
export function oneWay(leaves: readonly string[], totalWeight = 40): Dimension {
  return { leaves, aggregates: [{ key: 'total', members: leaves }], weight: (coord) => (coord === 'total' ? totalWeight : 1) };
}
