/** One micro-benchmark result: how many calls ran in how long, and the rate that gives. */
export interface MicroResult {
  readonly name: string;
  readonly ops: number;
  readonly ms: number;
  readonly opsPerSec: number;
  /** True when the time cap, not the iteration count, ended the run. */
  readonly capped: boolean;
}

export interface MicroOptions {
  /** Calls made before timing starts, so the JIT has settled. */
  readonly warmup: number;
  /** Calls timed; the run stops earlier if `maxMs` is reached. */
  readonly iterations: number;
  /** Upper bound on the timed part, in ms. */
  readonly maxMs: number;
}

/** Calls between two clock reads: small enough to respect the cap, big enough to hide the read. */
const BATCH = 1000;

/**
 * Times `fn` (called with the iteration number) for a fixed number of calls, stopping early at the
 * time cap. Whatever `fn` returns is folded into a sink so the work cannot be optimised away.
 */
export function measure(name: string, fn: (i: number) => unknown, options: MicroOptions): MicroResult {
  let sink = 0;
  const fold = (value: unknown): void => {
    if (value !== undefined) sink = (sink + 1) | 0;
  };
  const warmupEnd = performance.now() + options.maxMs;
  for (let i = 0; i < options.warmup && performance.now() < warmupEnd; i += BATCH) {
    const last = Math.min(i + BATCH, options.warmup);
    for (let j = i; j < last; j++) fold(fn(j));
  }
  const start = performance.now();
  const deadline = start + options.maxMs;
  let done = 0;
  let capped = false;
  while (done < options.iterations) {
    const last = Math.min(done + BATCH, options.iterations);
    for (let j = done; j < last; j++) fold(fn(j));
    done = last;
    if (performance.now() >= deadline && done < options.iterations) {
      capped = true;
      break;
    }
  }
  const ms = performance.now() - start;
  if (sink === -1) console.log('unreachable', sink);
  return { name, ops: done, ms, opsPerSec: (done / ms) * 1000, capped };
}
