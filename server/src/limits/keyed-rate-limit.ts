import { type Clock, TokenBucket } from './token-bucket.ts';

export interface RateLimitOptions {
  /** Actions allowed at once. */
  readonly burst: number;
  /** Sustained actions per minute. */
  readonly perMinute: number;
  /**
   * Refused actions tolerated per minute (also the burst of refusals) before the verdict becomes
   * `abusive`: a client that backs off after `limited` never gets there.
   */
  readonly strikesPerMinute: number;
}

/** A budget of `count` per minute that also allows `count` at once; refusals never turn `abusive`. */
export function perMinute(count: number): RateLimitOptions {
  return { burst: count, perMinute: count, strikesPerMinute: count };
}

/** `limited`: drop this one and say why. `abusive`: the sender ignores `limited`; cut it off. */
export type RateVerdict = 'allowed' | 'limited' | 'abusive';

/** Forgotten buckets are looked for at most this often: full ones hold no state worth keeping. */
const SWEEP_INTERVAL_MS = 60_000;

interface Budget {
  readonly actions: TokenBucket;
  readonly strikes: TokenBucket;
}

/** One budget per key (a user id), with a second bucket that counts refusals. */
export class KeyedRateLimit {
  readonly #options: RateLimitOptions;
  readonly #now: Clock;
  readonly #budgets = new Map<string, Budget>();
  #sweptAt: number;

  constructor(options: RateLimitOptions, now: Clock = Date.now) {
    this.#options = options;
    this.#now = now;
    this.#sweptAt = now();
  }

  check(key: string): RateVerdict {
    this.#sweep();
    let budget = this.#budgets.get(key);
    if (!budget) {
      const { burst, perMinute, strikesPerMinute } = this.#options;
      budget = {
        actions: new TokenBucket(burst, perMinute, this.#now),
        strikes: new TokenBucket(strikesPerMinute, strikesPerMinute, this.#now),
      };
      this.#budgets.set(key, budget);
    }
    if (budget.actions.take()) return 'allowed';
    return budget.strikes.take() ? 'limited' : 'abusive';
  }

  /**
   * Milliseconds until `key` may act again: 0 if `check` would allow it now. Spends nothing, so
   * it can tell a refused client how long to wait (`Retry-After`) or why it is refused.
   */
  waitMs(key: string): number {
    return this.#budgets.get(key)?.actions.waitMs ?? 0;
  }

  /** Keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.#budgets.size;
  }

  #sweep(): void {
    const now = this.#now();
    if (now - this.#sweptAt < SWEEP_INTERVAL_MS) return;
    this.#sweptAt = now;
    for (const [key, budget] of this.#budgets) {
      if (budget.actions.full && budget.strikes.full) this.#budgets.delete(key);
    }
  }
}
