/**
 * Login throttling, after the Lucia examples: each failure for a key doubles the wait before the next
 * attempt is considered, and a success resets it. In memory, since BVTE runs as one process.
 */
const TIMEOUTS_SECONDS = [0, 1, 2, 4, 8, 16, 30, 60, 180, 300];

interface Entry {
  index: number;
  updatedAt: number;
}

export class Throttler {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly timeoutsSeconds: readonly number[] = TIMEOUTS_SECONDS,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when the key may try now. */
  check(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return true;
    const waitMs = (this.timeoutsSeconds[entry.index] ?? 0) * 1000;
    return this.now() - entry.updatedAt >= waitMs;
  }

  recordFailure(key: string): void {
    const entry = this.entries.get(key);
    const index = entry ? Math.min(entry.index + 1, this.timeoutsSeconds.length - 1) : 1;
    this.entries.set(key, { index, updatedAt: this.now() });
    this.forgetStale();
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Keeps memory bounded under a spray of usernames: an entry idle past the longest wait means nothing. */
  private forgetStale(): void {
    if (this.entries.size < 10_000) return;
    const longestMs = Math.max(...this.timeoutsSeconds) * 1000;
    const now = this.now();
    for (const [key, entry] of this.entries) if (now - entry.updatedAt > longestMs) this.entries.delete(key);
  }
}

/** A refilling bucket per key: bursts up to `max`, then one token each `refillMs`. */
export class TokenBucket {
  private readonly buckets = new Map<string, { tokens: number; refilledAt: number }>();

  constructor(
    private readonly max: number,
    private readonly refillMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  consume(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.max, refilledAt: now };
    const refill = Math.floor((now - bucket.refilledAt) / this.refillMs);
    if (refill > 0) {
      bucket.tokens = Math.min(this.max, bucket.tokens + refill);
      bucket.refilledAt += refill * this.refillMs;
    }
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      return false;
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 50_000) this.buckets.clear();
    return true;
  }
}
