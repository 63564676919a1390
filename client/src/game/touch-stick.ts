import { bitsFromStick } from '@starcatch/shared';

/** Finger travel (CSS pixels) from where the touch began before the ship steers. */
const DEAD_ZONE_PX = 14;

/** Where the finger is on a stick, in client (CSS pixel) coordinates, for a view to draw. */
export interface StickPosition {
  /** False once the finger is lifted: the rest is then the last touch's. */
  readonly active: boolean;
  /** Where the finger came down: the stick's centre. */
  readonly originX: number;
  readonly originY: number;
  /** Where the finger is now. */
  readonly x: number;
  readonly y: number;
  /** The direction bits it steers with. */
  readonly bits: number;
}

export interface TouchStickOptions {
  /** Told every change of the finger (down, move, up), e.g. to draw the stick under it. */
  readonly onChange?: (position: StickPosition) => void;
}

/**
 * A floating touch joystick on a surface (the game canvas, or the touch pad beside it): the stick's
 * centre is where the finger first touched, and the direction is from there to the finger now, in
 * eight sectors. Only touch pointers steer (a mouse click does nothing), and only the first finger
 * counts. DOM pointer events rather than Phaser's input, which only runs while the render loop is awake.
 */
export class TouchStick {
  readonly #surface: HTMLElement;
  readonly #onChange: ((position: StickPosition) => void) | undefined;
  #pointerId: number | null = null;
  #originX = 0;
  #originY = 0;
  #bits = 0;

  constructor(surface: HTMLElement, options: TouchStickOptions = {}) {
    this.#surface = surface;
    this.#onChange = options.onChange;
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
    this.#changed(event, true);
  };

  readonly #move = (event: PointerEvent): void => {
    if (event.pointerId !== this.#pointerId) return;
    this.#bits = bitsFromStick(event.clientX - this.#originX, event.clientY - this.#originY, DEAD_ZONE_PX);
    this.#changed(event, true);
  };

  readonly #up = (event: PointerEvent): void => {
    if (event.pointerId !== this.#pointerId) return;
    this.#pointerId = null;
    this.#bits = 0;
    this.#changed(event, false);
  };

  #changed(event: PointerEvent, active: boolean): void {
    this.#onChange?.({
      active,
      originX: this.#originX,
      originY: this.#originY,
      x: event.clientX,
      y: event.clientY,
      bits: this.#bits,
    });
  }
}
