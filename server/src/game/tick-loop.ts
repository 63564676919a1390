/** What a `TickLoop` drives. */
export interface Tickable {
  /** Runs whatever ticks are due now. */
  advance(): void;
  /** How long until the next tick is due. */
  msUntilNextTick(): number;
}

/** The timer functions a loop needs: Node's by default, a fake in tests. */
export interface TickScheduler {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: TickScheduler = {
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    // A room's loop must never be what keeps the process alive; shutdown stops it anyway.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Wakes a simulation when its next tick is due. One timer at a time, re-armed after each wake
 * for exactly the time left, so a late timer (Node's fire late, never early) shortens the next
 * wait instead of shifting every tick after it; the `TickAccumulator` decides what is due.
 */
export class TickLoop {
  readonly #target: Tickable;
  readonly #scheduler: TickScheduler;
  readonly #onError: (error: unknown) => void;
  #handle: unknown;
  #running = false;

  constructor(target: Tickable, onError: (error: unknown) => void, scheduler: TickScheduler = realTimers) {
    this.#target = target;
    this.#onError = onError;
    this.#scheduler = scheduler;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    if (this.#handle !== undefined) this.#scheduler.clearTimeout(this.#handle);
    this.#handle = undefined;
  }

  #arm(): void {
    // Whole milliseconds, rounded up: a timer that fires a fraction early would find nothing due.
    const wait = Math.ceil(this.#target.msUntilNextTick());
    this.#handle = this.#scheduler.setTimeout(() => this.#wake(), wait);
  }

  #wake(): void {
    this.#handle = undefined;
    if (!this.#running) return;
    try {
      this.#target.advance();
    } catch (error) {
      // One bad tick (a bug) is reported, not fatal: the room keeps running for its players.
      this.#onError(error);
    }
    if (this.#running) this.#arm();
  }
}
