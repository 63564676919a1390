/**
 * A seeded PRNG (mulberry32). Its whole state is one uint32 kept in the game state, so a step that
 * draws random numbers stays a pure function of its inputs and a recorded game replays exactly.
 * Only 32-bit integer operations: every JS engine produces the same sequence.
 */
export class SeededRandom {
  /** The uint32 state; store it back into the game state after drawing. */
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}
