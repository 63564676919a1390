/** Identical frames in a row after which the render loop sleeps. */
const STILL_FRAMES_BEFORE_SLEEP = 3;

/** The part of Phaser's game loop this needs. */
export interface SleepingLoop {
  sleep(): void;
  wake(): void;
}

/**
 * Puts the render loop to sleep once a few frames in a row looked the same (nobody moving), and
 * wakes it when the match changes. Five room tabs rendering a still arena at 30 fps slowed chat
 * delivery past a second in the e2e run; the input ticker keeps inputs going meanwhile, and asks
 * `wakeIfChanged` on every beat.
 */
export class RenderSleep {
  readonly #loop: SleepingLoop;
  /** What the picture is made of: when it differs from the one the loop slept on, frames are due. */
  readonly #signature: () => string;
  #stillFrames = 0;
  #lastFrame = '';
  /** The signature the loop went to sleep on; null while awake. */
  #sleptOn: string | null = null;

  constructor(loop: SleepingLoop, signature: () => string) {
    this.#loop = loop;
    this.#signature = signature;
  }

  /** Called after each rendered frame with what it showed; sleeps after a few identical ones. */
  frameDrawn(frame: string): void {
    this.#stillFrames = frame === this.#lastFrame ? this.#stillFrames + 1 : 0;
    this.#lastFrame = frame;
    if (this.#stillFrames < STILL_FRAMES_BEFORE_SLEEP) return;
    this.#sleptOn = this.#signature();
    this.#loop.sleep();
  }

  /** Wakes the loop if it sleeps and the match no longer looks like it did then. */
  wakeIfChanged(): void {
    if (this.#sleptOn === null || this.#signature() === this.#sleptOn) return;
    this.#sleptOn = null;
    this.#stillFrames = 0;
    this.#loop.wake();
  }
}
