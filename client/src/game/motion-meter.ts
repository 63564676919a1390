import { SHIP_MAX_SPEED } from '@starcatch/shared';
import { MAX_FADE_SPEED } from './correction-fade.ts';
import { RollingPercentile } from './rolling-percentile.ts';
import { MAX_CLOCK_WARP } from './snapshot-buffer.ts';

/**
 * The fastest a ship is ever drawn to move without anything being wrong, units/s: the fastest ship
 * (SHIP_MAX_SPEED), played back up to 10 % fast while the playback clock catches up, plus a
 * correction gliding back at MAX_FADE_SPEED. Motion beyond it in a frame is a jump: something was
 * drawn somewhere it could not have got to.
 */
export const DRAWN_SPEED_LIMIT = SHIP_MAX_SPEED * (1 + MAX_CLOCK_WARP) + MAX_FADE_SPEED;

/**
 * Frames further apart than this (a stalled tab, a sleeping render loop) start a new chain: no
 * velocity or jerk is computed across them.
 */
const MAX_FRAME_GAP_MS = 250;

interface Track {
  x: number;
  y: number;
  at: number;
  /** Velocity over the previous frame, units/s; null at the start of a chain. */
  vx: number | null;
  vy: number | null;
  /** Acceleration between the two previous frames, units/s²; null until there were three frames. */
  ax: number | null;
  ay: number | null;
  /** Length of the previous frame, s. */
  dt: number;
}

/** How smoothly ships were drawn, as a player would judge it. */
export interface MotionReading {
  /**
   * The largest distance a ship was drawn to move in one frame beyond DRAWN_SPEED_LIMIT × the
   * frame's length, units: 0 is smooth, 20 is a visible pop. Independent of the frame rate, so a
   * long frame of a busy tab is not a jump.
   */
  readonly maxJump: number;
  /** p95 and max of the drawn jerk (change of acceleration per second), units/s³. */
  readonly jerkP95: number;
  readonly maxJerk: number;
  /** Frames measured. */
  readonly frames: number;
}

/**
 * Measures drawn motion frame by frame, per ship: jumps (steps no ship could fly) and jerk (third
 * derivative of the drawn position). A ship that stops against a wall has a large jerk for a frame
 * too; the p95 over many frames is the figure to compare, the max the one to chase.
 */
export class MotionMeter {
  readonly #maxSpeed: number;
  readonly #tracks = new Map<number, Track>();
  readonly #jerks = new RollingPercentile(1024);
  #maxJump = 0;
  #maxJerk = 0;
  #frames = 0;

  constructor(maxSpeed = DRAWN_SPEED_LIMIT) {
    this.#maxSpeed = maxSpeed;
  }

  /** `slot` was drawn at (x, y) at local time `now` (ms). */
  frame(slot: number, x: number, y: number, now: number): void {
    const track = this.#tracks.get(slot);
    if (!track || now - track.at > MAX_FRAME_GAP_MS) {
      this.#tracks.set(slot, { x, y, at: now, vx: null, vy: null, ax: null, ay: null, dt: 0 });
      return;
    }
    const dt = (now - track.at) / 1000;
    if (dt <= 0) return;
    this.#frames++;
    const dx = x - track.x;
    const dy = y - track.y;
    this.#maxJump = Math.max(this.#maxJump, Math.hypot(dx, dy) - this.#maxSpeed * dt);
    const vx = dx / dt;
    const vy = dy / dt;
    let ax: number | null = null;
    let ay: number | null = null;
    if (track.vx !== null && track.vy !== null) {
      // Velocities belong to the middles of their frames: half of each frame apart.
      const span = (track.dt + dt) / 2;
      ax = (vx - track.vx) / span;
      ay = (vy - track.vy) / span;
      if (track.ax !== null && track.ay !== null) {
        const jerk = Math.hypot(ax - track.ax, ay - track.ay) / dt;
        this.#jerks.add(jerk);
        this.#maxJerk = Math.max(this.#maxJerk, jerk);
      }
    }
    Object.assign(track, { x, y, at: now, vx, vy, ax, ay, dt });
  }

  /** Forgets every ship not in `slots`. */
  retain(slots: ReadonlySet<number>): void {
    for (const slot of this.#tracks.keys()) if (!slots.has(slot)) this.#tracks.delete(slot);
  }

  get reading(): MotionReading {
    return {
      maxJump: Math.max(0, this.#maxJump),
      jerkP95: this.#jerks.percentile(95),
      maxJerk: this.#maxJerk,
      frames: this.#frames,
    };
  }

  /** Starts a new measurement (keeps the ships' last positions, so the next frame is not a jump). */
  reset(): void {
    this.#jerks.clear();
    this.#maxJump = 0;
    this.#maxJerk = 0;
    this.#frames = 0;
  }
}
