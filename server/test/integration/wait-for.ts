/** How long `waitFor` polls before failing: far above any loopback round trip, far below the test timeout. */
export const WAIT_TIMEOUT_MS = 3_000;
const POLL_INTERVAL_MS = 5;

/**
 * A window in which something must NOT happen (a rejoin, a frame for another client). Several
 * times the shrunk client timers (`FAST_TIMERS`), so a wrong rejoin or reconnect would show.
 */
export const QUIET_WINDOW_MS = 250;

export interface WaitOptions {
  /** Named in the timeout error, e.g. "A to have 2 metas". */
  readonly what?: string;
  readonly timeoutMs?: number;
}

/**
 * Polls until `check` returns true or returns without throwing (so it can hold `expect` calls).
 * On timeout it rethrows the last assertion error, which says what was seen instead.
 */
export async function waitFor(check: () => boolean | undefined, options: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? WAIT_TIMEOUT_MS);
  let lastError: unknown = null;
  for (;;) {
    try {
      if (check() !== false) return;
      lastError = null;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      if (lastError instanceof Error) throw lastError;
      throw new Error(
        `timed out after ${options.timeoutMs ?? WAIT_TIMEOUT_MS} ms waiting for ${options.what ?? 'a condition'}`,
      );
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
