import { DEFAULT_GAME_RATES, type GameRates, snapshotTicksBetween, tickMs } from '@starcatch/shared';

/** How much history the clock and the lateness are read from: long enough for a p95, short enough to follow a change. */
export const ARRIVAL_WINDOW_MS = 3000;
/**
 * How long a loss is remembered for `missingShare`: at 5 % loss a 3 s window (60 snapshots) often
 * holds none, and the delay would drop its loss cover just before the next one.
 */
export const LOSS_WINDOW_MS = 10_000;
/** The lateness percentile the interpolation delay covers: 1 snapshot in 20 may still come too late. */
export const LATENESS_PERCENTILE = 95;
/** RFC 3550's gain for the inter-arrival jitter estimate. */
const JITTER_GAIN = 1 / 16;

interface Arrival {
  readonly at: number;
  /** Server time on the tick line (tick × tick length) minus local arrival time. */
  readonly sample: number;
}

/** Counts since the link was followed. */
export interface ArrivalCounts {
  /** Snapshots taken into the buffer. */
  received: number;
  /** Snapshots that came after a newer one (dropped: their state is already superseded). */
  late: number;
  /** Snapshot ticks that never came before a newer one did: lost, skipped, or late (then also in `late`). */
  missing: number;
}

/**
 * What snapshot arrivals say about the network, for the interpolation and the overlay:
 * - the server clock: the offset from local time to the server's tick line, taken from the
 *   EARLIEST arrival of the last few seconds (the one that waited least on the way), so jitter
 *   never pulls it and a slower path shows within the window;
 * - lateness: how much later than that earliest one snapshots arrive (its p95 sizes the delay);
 * - jitter: RFC 3550's smoothed inter-arrival jitter, the figure network tools print;
 * - late and missing snapshots.
 */
export class SnapshotArrivals {
  readonly counts: ArrivalCounts = { received: 0, late: 0, missing: 0 };
  readonly #tickMs: number;
  readonly #rates: GameRates;
  readonly #windowMs: number;
  #window: Arrival[] = [];
  /** Arrivals of the last LOSS_WINDOW_MS: when, and how many snapshot ticks were skipped before each. */
  #losses: { readonly at: number; readonly missingBefore: number }[] = [];
  #previous: { readonly tick: number; readonly at: number } | null = null;
  #jitterMs = 0;

  constructor(rates: GameRates = DEFAULT_GAME_RATES, windowMs = ARRIVAL_WINDOW_MS) {
    this.#rates = rates;
    this.#tickMs = tickMs(rates);
    this.#windowMs = windowMs;
  }

  /** A fresh snapshot (newer than any before) of `tick` arrived at local time `at` (ms). */
  arrived(tick: number, at: number): void {
    this.counts.received++;
    const previous = this.#previous;
    const missingBefore = previous ? snapshotTicksBetween(previous.tick, tick, this.#rates) : 0;
    this.counts.missing += missingBefore;
    if (previous) {
      const transitChange = at - previous.at - (tick - previous.tick) * this.#tickMs;
      this.#jitterMs += (Math.abs(transitChange) - this.#jitterMs) * JITTER_GAIN;
    }
    this.#previous = { tick, at };
    this.#window.push({ at, sample: tick * this.#tickMs - at });
    while ((this.#window[0] as Arrival).at < at - this.#windowMs) this.#window.shift();
    this.#losses.push({ at, missingBefore });
    while ((this.#losses[0] as { at: number }).at < at - LOSS_WINDOW_MS) this.#losses.shift();
  }

  /** A snapshot older than one already taken arrived. */
  lateArrival(): void {
    this.counts.late++;
  }

  /** Server tick-line ms minus local ms, from the earliest recent arrival; null before the first. */
  get offset(): number | null {
    if (this.#window.length === 0) return null;
    let best = Number.NEGATIVE_INFINITY;
    for (const arrival of this.#window) best = Math.max(best, arrival.sample);
    return best;
  }

  /** The LATENESS_PERCENTILE of how late recent snapshots came against the earliest one, ms. */
  get latenessMs(): number {
    const offset = this.offset;
    if (offset === null) return 0;
    const late = this.#window.map((arrival) => offset - arrival.sample).sort((a, b) => a - b);
    return late[Math.min(late.length - 1, Math.floor((LATENESS_PERCENTILE / 100) * late.length))] ?? 0;
  }

  /** How much later than the earliest recent arrival the newest snapshot came, ms (0: on time). */
  get lastLatenessMs(): number {
    const offset = this.offset;
    const last = this.#window.at(-1);
    return offset === null || last === undefined ? 0 : offset - last.sample;
  }

  /** RFC 3550 inter-arrival jitter, ms. */
  get jitterMs(): number {
    return this.#jitterMs;
  }

  /** Share of the snapshots of the last LOSS_WINDOW_MS that never came. */
  get missingShare(): number {
    let missing = 0;
    for (const arrival of this.#losses) missing += arrival.missingBefore;
    const expected = missing + this.#losses.length;
    return expected === 0 ? 0 : missing / expected;
  }
}
