/** The step rate assumed until the room's rates are known (the server's default tick rate). */
const DEFAULT_TICK_MS = 1000 / 30;
/** Timer runs per tick of the room: twice, so a step is never more than half a tick late. */
const RUNS_PER_TICK = 2;

/**
 * The timer the fixed step runs on: twice per tick of the room's rate, re-armed when the rate
 * changes. It is a timer of its own, not the render loop's `update`: a tab rendering at 12 fps
 * (software WebGL, measured in the e2e run) sent its inputs in late bursts, and the render loop
 * sleeps while the arena is still.
 */
export class InputTicker {
  readonly #tickMs: () => number | null;
  readonly #run: () => void;
  #timer: ReturnType<typeof setInterval> | null = null;
  #intervalMs = 0;

  /** `tickMs` is the room's tick length (null while unknown); `run` is called on every beat. */
  constructor(tickMs: () => number | null, run: () => void) {
    this.#tickMs = tickMs;
    this.#run = run;
    this.#arm();
  }

  dispose(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  #arm(): void {
    const ms = (this.#tickMs() ?? DEFAULT_TICK_MS) / RUNS_PER_TICK;
    if (this.#timer !== null && ms === this.#intervalMs) return;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#intervalMs = ms;
    this.#timer = setInterval(() => {
      this.#run();
      // The rate may have come (or changed) with this beat's sync.
      if (this.#timer !== null) this.#arm();
    }, ms);
  }
}
