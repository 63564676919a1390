/** Measuring helpers every suite uses: one clock, waits, and quantiles of sorted samples. */

/**
 * The clock every thread and process of the machine stamps and reads: ms since the epoch with
 * sub-ms resolution (`performance.timeOrigin + performance.now()`), so a time taken in one process
 * can be compared with one taken in another.
 */
export function clock(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves after `ms` (at once for a negative wait). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** The value at quantile `q` (0–1) of an ascending array; NaN when empty. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[at] as number;
}

/** All parts in one ascending array. */
export function sortedOf(parts: readonly Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all.sort();
}

export interface Latency {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** p50, p99 and max of an ascending array of ms. */
export function latencyOf(sorted: Float64Array): Latency {
  return { p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), maxMs: quantile(sorted, 1) };
}

/** The median of the finite values (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
