import { SHIP_MAX_SPEED } from '@starcatch/shared';
import { fadeOffset, type Offset } from './correction-fade.ts';
import type { ShownShip } from './snapshot-buffer.ts';
import { MAX_CLOCK_WARP } from './snapshot-buffer.ts';

export interface RemoteSmootherOptions {
  /** The fastest a ship can really go, units/s. */
  readonly maxSpeed?: number;
  /** Time constant of the fade of an absorbed jump, ms: ~63 % of it is gone after this long. */
  readonly smoothingMs?: number;
  /** A jump longer than this (units) is shown as it is: a respawn, not a glitch. */
  readonly snapDistance?: number;
}

/** 80 ms: a discontinuity is mostly gone within 5 frames at 60 fps, and never shows as one big step. */
export const DEFAULT_REMOTE_SMOOTHING_MS = 80;
/** Six ship radii: no interpolation error gets that big; a jump that does is a real teleport. */
export const DEFAULT_REMOTE_SNAP_DISTANCE = 96;
/** Motion up to this much beyond the speed cap per frame is rounding, not a jump. */
const STEP_TOLERANCE_UNITS = 0.5;

interface Tracked {
  lastX: number;
  lastY: number;
  readonly offset: Offset;
}

/**
 * Hides discontinuities of remote ships. The interpolated path is continuous while snapshots keep
 * coming, but it breaks where extrapolation guessed wrong and a late snapshot pulls the ship back.
 * Whatever part of a frame's step no ship could fly (beyond the speed cap) is absorbed into an
 * offset that then fades out at a bounded speed (`fadeOffset`), the way the own ship's prediction
 * corrections are: a glide over a few frames instead of a jump.
 */
export class RemoteSmoother {
  readonly #maxSpeed: number;
  readonly #smoothingMs: number;
  readonly #snapDistance: number;
  readonly #ships = new Map<number, Tracked>();

  constructor(options: RemoteSmootherOptions = {}) {
    this.#maxSpeed = options.maxSpeed ?? SHIP_MAX_SPEED;
    this.#smoothingMs = options.smoothingMs ?? DEFAULT_REMOTE_SMOOTHING_MS;
    this.#snapDistance = options.snapDistance ?? DEFAULT_REMOTE_SNAP_DISTANCE;
  }

  /** Where to draw `slot` when the buffer says `target`, `elapsedMs` after the previous frame. */
  shown(slot: number, target: ShownShip, elapsedMs: number): ShownShip {
    const ship = this.#ships.get(slot);
    if (!ship) {
      this.#ships.set(slot, { lastX: target.x, lastY: target.y, offset: { x: 0, y: 0 } });
      return target;
    }
    const elapsed = Math.max(0, elapsedMs);
    fadeOffset(ship.offset, elapsed, this.#smoothingMs);
    const dx = target.x - ship.lastX;
    const dy = target.y - ship.lastY;
    const distance = Math.hypot(dx, dy);
    // Playback may run up to MAX_CLOCK_WARP fast, so that much over the cap is still flying.
    const allowed = (this.#maxSpeed * (1 + MAX_CLOCK_WARP) * elapsed) / 1000 + STEP_TOLERANCE_UNITS;
    if (distance > this.#snapDistance) {
      ship.offset.x = 0;
      ship.offset.y = 0;
    } else if (distance > allowed) {
      const excess = 1 - allowed / distance;
      ship.offset.x -= dx * excess;
      ship.offset.y -= dy * excess;
    }
    ship.lastX = target.x;
    ship.lastY = target.y;
    return { x: target.x + ship.offset.x, y: target.y + ship.offset.y };
  }

  /** Forgets every ship not in `slots` (they left). */
  retain(slots: ReadonlySet<number>): void {
    for (const slot of this.#ships.keys()) if (!slots.has(slot)) this.#ships.delete(slot);
  }
}
