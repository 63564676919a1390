import { bitsFromStick } from '@starcatch/shared';

/** Finger travel (CSS pixels) from where the touch began before the ship steers. */
const DEAD_ZONE_PX = 14;

/**
 * A floating touch joystick on the game canvas: the stick's centre is where the finger first
 * touched, and the direction is from there to the finger now, in eight sectors. Only touch
 * pointers steer (a mouse click does nothing), and only the first finger counts. DOM pointer
 * events rather than Phaser's input, which only runs while the render loop is awake.
 */
export class TouchStick {
  readonly #surface: HTMLElement;
  #pointerId: number | null = null;
  #originX = 0;
  #originY = 0;
  #bits = 0;

  constructor(surface: HTMLElement) {
    this.#surface = surface;
    surface.style.touchAction = 'none';
    surface.addEventListener('pointerdown', this.#down);
    surface.addEventListener('pointermove', this.#move);
    surface.addEventListener('pointerup', this.#up);
    surface.addEventListener('pointercancel', this.#up);
  }

  /** The direction bits of the stick now (0 when no finger is on it). */
  bits(): number {
    return this.#bits;
  }

  dispose(): void {
    this.#surface.removeEventListener('pointerdown', this.#down);
    this.#surface.removeEventListener('pointermove', this.#move);
    this.#surface.removeEventListener('pointerup', this.#up);
    this.#surface.removeEventListener('pointercancel', this.#up);
  }

  readonly #down = (event: PointerEvent): void => {
    if (event.pointerType !== 'touch' || this.#pointerId !== null) return;
    this.#pointerId = event.pointerId;
    this.#originX = event.clientX;
    this.#originY = event.clientY;
    this.#bits = 0;
  };

  readonly #move = (event: PointerEvent): void => {
    if (event.pointerId !== this.#pointerId) return;
    this.#bits = bitsFromStick(event.clientX - this.#originX, event.clientY - this.#originY, DEAD_ZONE_PX);
  };

  readonly #up = (event: PointerEvent): void => {
    if (event.pointerId !== this.#pointerId) return;
    this.#pointerId = null;
    this.#bits = 0;
  };
}
