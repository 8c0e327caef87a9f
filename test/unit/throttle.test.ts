import { describe, expect, it } from 'vitest';
import { Throttler, TokenBucket } from '../../src/auth/throttle.js';

/** A clock the test moves by hand, so waits are exact and the test never sleeps. */
function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('Throttler (per-account login throttle)', () => {
  const TIMEOUTS = [0, 1, 2, 4, 8];

  it('lets a key with no failures try at once', () => {
    const clock = manualClock();
    const throttler = new Throttler(TIMEOUTS, clock.now);
    expect(throttler.check('lan')).toBe(true);
  });

  it('makes a key wait the first timeout after one failure, to the millisecond', () => {
    const clock = manualClock();
    const throttler = new Throttler(TIMEOUTS, clock.now);
    throttler.recordFailure('lan');
    expect(throttler.check('lan')).toBe(false);
    clock.advance(999);
    expect(throttler.check('lan')).toBe(false);
    clock.advance(1);
    expect(throttler.check('lan')).toBe(true);
  });

  it('doubles the wait with each further failure, counted from the latest failure', () => {
    const clock = manualClock();
    const throttler = new Throttler(TIMEOUTS, clock.now);
    for (const expectedSeconds of [1, 2, 4, 8]) {
      throttler.recordFailure('lan');
      clock.advance(expectedSeconds * 1000 - 1);
      expect(throttler.check('lan')).toBe(false);
      clock.advance(1);
      expect(throttler.check('lan')).toBe(true);
    }
  });

  it('stops growing at the last timeout', () => {
    const clock = manualClock();
    const throttler = new Throttler(TIMEOUTS, clock.now);
    for (let i = 0; i < 20; i += 1) throttler.recordFailure('lan');
    clock.advance(8_000);
    expect(throttler.check('lan')).toBe(true);
  });

  it('forgets the failures of a key after reset (a successful login)', () => {
    const clock = manualClock();
    const throttler = new Throttler(TIMEOUTS, clock.now);
    throttler.recordFailure('lan');
    throttler.recordFailure('lan');
    throttler.reset('lan');
    expect(throttler.check('lan')).toBe(true);
    throttler.recordFailure('lan');
    clock.advance(1_000);
    expect(throttler.check('lan')).toBe(true);
  });

  it('keeps keys independent', () => {
    const clock = manualClock();
    const throttler = new Throttler(TIMEOUTS, clock.now);
    throttler.recordFailure('lan');
    expect(throttler.check('lan')).toBe(false);
    expect(throttler.check('minh')).toBe(true);
  });
});

describe('TokenBucket (per-IP login bucket)', () => {
  it('allows a burst of max requests, then refuses', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(3, 10_000, clock.now);
    expect([1, 2, 3].map(() => bucket.consume('203.0.113.1'))).toEqual([true, true, true]);
    expect(bucket.consume('203.0.113.1')).toBe(false);
    expect(bucket.consume('203.0.113.1')).toBe(false);
  });

  it('refills one token per interval and no sooner', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(2, 10_000, clock.now);
    bucket.consume('ip');
    bucket.consume('ip');
    clock.advance(9_999);
    expect(bucket.consume('ip')).toBe(false);
    clock.advance(1);
    expect(bucket.consume('ip')).toBe(true);
    expect(bucket.consume('ip')).toBe(false);
  });

  it('keeps the unspent part of an interval, so refills stay on schedule', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(1, 10_000, clock.now);
    bucket.consume('ip');
    clock.advance(15_000);
    expect(bucket.consume('ip')).toBe(true);
    // The next token is due 20 s after the start, i.e. 5 s from now, not 10 s.
    clock.advance(5_000);
    expect(bucket.consume('ip')).toBe(true);
  });

  it('never holds more than max tokens however long it rests', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(2, 1_000, clock.now);
    bucket.consume('ip');
    clock.advance(3_600_000);
    expect([1, 2, 3].map(() => bucket.consume('ip'))).toEqual([true, true, false]);
  });

  it('keeps keys independent', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(1, 10_000, clock.now);
    expect(bucket.consume('203.0.113.1')).toBe(true);
    expect(bucket.consume('203.0.113.1')).toBe(false);
    expect(bucket.consume('198.51.100.2')).toBe(true);
  });
});
