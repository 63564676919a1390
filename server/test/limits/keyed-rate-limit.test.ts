import { describe, expect, it } from 'vitest';
import { KeyedRateLimit } from '../../src/limits/keyed-rate-limit.ts';
import { TokenBucket } from '../../src/limits/token-bucket.ts';

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance(ms: number): void } {
  let time = 1_000_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('TokenBucket', () => {
  it('allows a burst, then refills at the sustained rate', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(3, 60, clock.now); // one token per second

    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    clock.advance(999);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
    clock.advance(60_000);
    expect(bucket.full).toBe(true);
  });
});

describe('KeyedRateLimit', () => {
  const options = { burst: 2, perMinute: 60, strikesPerMinute: 2 };

  it('keeps one budget per key', () => {
    const limit = new KeyedRateLimit(options, manualClock().now);

    expect([limit.check('ada'), limit.check('ada'), limit.check('ada')]).toEqual(['allowed', 'allowed', 'limited']);
    expect(limit.check('bo')).toBe('allowed');
  });

  it('calls it abusive once the refusals outrun the strike budget, and forgives with time', () => {
    const clock = manualClock();
    const limit = new KeyedRateLimit(options, clock.now);
    limit.check('ada');
    limit.check('ada');

    expect([limit.check('ada'), limit.check('ada'), limit.check('ada')]).toEqual(['limited', 'limited', 'abusive']);
    clock.advance(60_000);
    expect([limit.check('ada'), limit.check('ada'), limit.check('ada')]).toEqual(['allowed', 'allowed', 'limited']);
  });

  it('forgets keys whose budgets have refilled', () => {
    const clock = manualClock();
    const limit = new KeyedRateLimit(options, clock.now);
    limit.check('ada');
    limit.check('bo');
    expect(limit.size).toBe(2);

    clock.advance(120_000);
    limit.check('cy');

    expect(limit.size).toBe(1);
  });
});
