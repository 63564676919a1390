/**
 * The last `capacity` values of a measurement and their percentiles: enough to say "p95 of the
 * last few seconds" without keeping a whole session's samples.
 */
export class RollingPercentile {
  readonly #values: number[] = [];
  readonly #capacity: number;
  #next = 0;

  constructor(capacity = 512) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#values.length;
  }

  add(value: number): void {
    if (this.#values.length < this.#capacity) this.#values.push(value);
    else this.#values[this.#next] = value;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** The value below which `p` percent of the kept values fall (nearest rank); 0 when empty. */
  percentile(p: number): number {
    if (this.#values.length === 0) return 0;
    const sorted = [...this.#values].sort((a, b) => a - b);
    const rank = Math.ceil((p / 100) * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
  }

  clear(): void {
    this.#values.length = 0;
    this.#next = 0;
  }
}
