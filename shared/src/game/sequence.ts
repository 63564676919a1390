/**
 * uint32 counters and clocks on the `state` channel: input sequence numbers, server ticks and
 * millisecond timestamps all wrap at 2^32. Comparisons use serial-number arithmetic (RFC 1982), so
 * they stay right across the wrap as long as the two values are less than 2^31 apart.
 */

const HALF_RANGE = 0x80000000;

/** True when uint32 `a` comes after `b`. */
export function isNewerSequence(a: number, b: number): boolean {
  const distance = (a - b) >>> 0;
  return distance !== 0 && distance < HALF_RANGE;
}

/**
 * Keeps only messages newer than everything accepted so far. The `state` channel is unordered, and
 * an unpatched werift even retransmits on it (docs/webrtc.md §2), so a late snapshot or input must
 * be dropped, never applied over a newer one. Use one per stream: snapshots by tick on the client,
 * inputs by sequence number per player on the server.
 */
export class NewestSequenceFilter {
  #newest: number | null = null;

  /** The newest value accepted, or null before the first. */
  get newest(): number | null {
    return this.#newest;
  }

  /** Accepts and records `value` when it is newer than the newest so far; false means drop it. */
  accept(value: number): boolean {
    if (this.#newest !== null && !isNewerSequence(value, this.#newest)) return false;
    this.#newest = value >>> 0;
    return true;
  }

  /** Forgets the history, e.g. when the client joins another room. */
  reset(): void {
    this.#newest = null;
  }
}

/** A millisecond clock reading as it travels on the wire: whole ms modulo 2^32 (wraps every 49.7 days). */
export function toWireTime(ms: number): number {
  return Math.floor(ms) >>> 0;
}

/** `later - earlier` in ms for two wire times, right across the wrap; negative when `later` is older. */
export function wireTimeDelta(later: number, earlier: number): number {
  return (later - earlier) | 0;
}
