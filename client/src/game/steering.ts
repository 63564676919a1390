import { HeldKeys } from './held-keys.ts';
import { TouchStick } from './touch-stick.ts';

/** Anything that steers: direction bits (`Direction`) held right now. */
export interface SteeringSource {
  bits(): number;
}

/**
 * Every way the player steers, together: the held keys, a touch stick on the canvas, and whatever
 * else the page adds (the touch pad beside the arena). Their bits are OR-ed: opposite directions
 * cancel in the step, as two keys held at once do.
 */
export class Steering implements SteeringSource {
  readonly #keys = new HeldKeys();
  readonly #stick: TouchStick;
  readonly #others: readonly SteeringSource[];

  constructor(canvas: HTMLElement, others: readonly SteeringSource[] = []) {
    this.#stick = new TouchStick(canvas);
    this.#others = others;
  }

  bits(): number {
    let bits = this.#keys.bits() | this.#stick.bits();
    for (const other of this.#others) bits |= other.bits();
    return bits;
  }

  dispose(): void {
    this.#keys.dispose();
    this.#stick.dispose();
  }
}
