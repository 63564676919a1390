import { bitsFromKeys } from '@starcatch/shared';

/** Which key codes steer which way: WASD and the arrows. */
const STEERING: Readonly<Record<string, 'up' | 'down' | 'left' | 'right'>> = {
  KeyW: 'up',
  ArrowUp: 'up',
  KeyS: 'down',
  ArrowDown: 'down',
  KeyA: 'left',
  ArrowLeft: 'left',
  KeyD: 'right',
  ArrowRight: 'right',
};

function isTextField(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement;
}

/**
 * The steering keys held right now, from the DOM's own key events rather than Phaser's per-frame
 * keyboard queue: with software WebGL a busy tab renders at 10–15 fps, and the input tick must not
 * wait for a frame to learn about a key. Keys typed into a text field (the chat) never steer.
 */
export class HeldKeys {
  readonly #held = new Set<string>();
  readonly #target: Window;

  constructor(target: Window = window) {
    this.#target = target;
    target.addEventListener('keydown', this.#down);
    target.addEventListener('keyup', this.#up);
    target.addEventListener('blur', this.#release);
  }

  /** The direction bits of the held keys. */
  bits(): number {
    const direction = { up: false, down: false, left: false, right: false };
    for (const code of this.#held) {
      const way = STEERING[code];
      if (way) direction[way] = true;
    }
    return bitsFromKeys(direction);
  }

  dispose(): void {
    this.#target.removeEventListener('keydown', this.#down);
    this.#target.removeEventListener('keyup', this.#up);
    this.#target.removeEventListener('blur', this.#release);
    this.#held.clear();
  }

  readonly #down = (event: KeyboardEvent): void => {
    if (!(event.code in STEERING) || isTextField(event.target)) return;
    this.#held.add(event.code);
    // Arrows would scroll the page.
    if (event.code.startsWith('Arrow')) event.preventDefault();
  };

  readonly #up = (event: KeyboardEvent): void => {
    this.#held.delete(event.code);
  };

  readonly #release = (): void => {
    this.#held.clear();
  };
}
