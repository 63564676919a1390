/** Milliseconds since some fixed point; injectable so tests can move time by hand. */
export type Clock = () => number;

/**
 * A token bucket: holds up to `capacity` tokens (the burst), refills continuously at
 * `refillPerMinute`, and each accepted action takes one token.
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  readonly #now: Clock;
  #tokens: number;
  #updatedAt: number;

  constructor(capacity: number, refillPerMinute: number, now: Clock = Date.now) {
    this.#capacity = capacity;
    this.#refillPerMs = refillPerMinute / 60_000;
    this.#now = now;
    this.#tokens = capacity;
    this.#updatedAt = now();
  }

  /** Takes a token if there is one. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token is there; 0 when there is one now. */
  get waitMs(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#refillPerMs);
  }

  /** True when the bucket has refilled completely, i.e. forgetting it changes nothing. */
  get full(): boolean {
    this.#refill();
    return this.#tokens >= this.#capacity;
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#updatedAt) * this.#refillPerMs);
    this.#updatedAt = now;
  }
}
