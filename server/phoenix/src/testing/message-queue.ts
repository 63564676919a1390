import { isDeepStrictEqual } from 'node:util';

/** A partial payload (each given field must deep-equal) or a predicate. */
export type PayloadMatch = object | ((payload: unknown) => boolean);

export function matchesPayload(payload: unknown, expected: PayloadMatch | undefined): boolean {
  if (expected === undefined) return true;
  if (typeof expected === 'function') return (expected as (payload: unknown) => boolean)(payload);
  if (typeof payload !== 'object' || payload === null) return false;
  const actual = payload as Record<string, unknown>;
  return Object.entries(expected).every(([key, value]) => isDeepStrictEqual(actual[key], value));
}

/**
 * Received messages, consumed by `take` in arrival order: `take` resolves with the first unconsumed
 * message that matches, waiting up to the timeout, like ExUnit's `assert_receive`.
 */
export class MessageQueue<Message> {
  readonly #received: Message[] = [];
  readonly #waiters = new Set<{ match: (m: Message) => boolean; resolve: (m: Message) => void }>();

  add(message: Message): void {
    for (const waiter of this.#waiters) {
      if (waiter.match(message)) {
        this.#waiters.delete(waiter);
        waiter.resolve(message);
        return;
      }
    }
    this.#received.push(message);
  }

  take(match: (m: Message) => boolean, timeoutMs: number, describe: () => string): Promise<Message> {
    const index = this.#received.findIndex(match);
    if (index !== -1) return Promise.resolve(this.#received.splice(index, 1)[0] as Message);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (message: Message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`${describe()} within ${timeoutMs} ms; unconsumed: ${JSON.stringify(this.#received)}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Resolves true if nothing matching arrives within the window (and consumes nothing). */
  async refute(match: (m: Message) => boolean, windowMs: number): Promise<boolean> {
    if (this.#received.some(match)) return false;
    return new Promise((resolve) => {
      const waiter = { match, resolve: () => resolve(false) };
      this.#waiters.add(waiter);
      setTimeout(() => {
        if (this.#waiters.delete(waiter)) resolve(true);
      }, windowMs);
    });
  }

  get unconsumed(): readonly Message[] {
    return this.#received;
  }
}
