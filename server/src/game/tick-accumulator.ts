/** Milliseconds on a clock that never goes back (`performance.now()`); injectable for tests. */
export type MonotonicClock = () => number;

/**
 * Rounding slack when turning elapsed time into whole ticks: 100 ms is 2.9999999999999996
 * ticks of 1000/30 ms in binary floating point, and must count as 3.
 */
const TICK_EPSILON = 1e-9;

/**
 * Fixed-step timekeeping for a simulation: how many ticks are due at a given time. Tick `n` is due
 * at `origin + n / rate`, computed by multiplication rather than by adding up step lengths, so
 * rounding never piles up into drift: after an hour a 30 Hz room has taken exactly 108,000 ticks.
 *
 * After a stall, at most `maxCatchUp` ticks are handed out at once; the rest of the backlog is
 * skipped (counted in `skipped`) by moving the origin forward.
 */
export class TickAccumulator {
  readonly #rate: number;
  readonly #maxCatchUp: number;
  #origin: number;
  #taken = 0;
  #skipped = 0;

  /** `rate` in ticks per second; `start` is the time of tick 0 (the first tick is due one step later). */
  constructor(rate: number, maxCatchUp: number, start: number) {
    if (!(rate > 0)) throw new RangeError(`tick rate must be positive, got ${rate}`);
    if (!Number.isInteger(maxCatchUp) || maxCatchUp < 1) {
      throw new RangeError(`maxCatchUp must be a whole number of at least 1, got ${maxCatchUp}`);
    }
    this.#rate = rate;
    this.#maxCatchUp = maxCatchUp;
    this.#origin = start;
  }

  /** Ticks handed out so far. */
  get taken(): number {
    return this.#taken;
  }

  /** Ticks dropped because the loop fell more than `maxCatchUp` behind. */
  get skipped(): number {
    return this.#skipped;
  }

  /** How many ticks to run now; they count as taken once returned. */
  due(now: number): number {
    const reached = Math.floor(((now - this.#origin) * this.#rate) / 1000 + TICK_EPSILON);
    let due = reached - this.#taken;
    if (due <= 0) return 0;
    if (due > this.#maxCatchUp) {
      const skip = due - this.#maxCatchUp;
      this.#origin += (skip * 1000) / this.#rate;
      this.#skipped += skip;
      due = this.#maxCatchUp;
    }
    this.#taken += due;
    return due;
  }

  /** Milliseconds from `now` until the next tick is due (0 when one is due already). */
  msUntilNext(now: number): number {
    return Math.max(0, this.#origin + ((this.#taken + 1) * 1000) / this.#rate - now);
  }
}
