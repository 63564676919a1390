import { ARENA_MAP, type ArenaMap, isNewerSequence, type ShipState, stepShip, TICK_SECONDS } from '@starcatch/shared';
import { fadeOffset, type Offset } from './correction-fade.ts';

/** One input this tab sent and the server has not acknowledged yet. */
export interface PendingInput {
  readonly seq: number;
  readonly bits: number;
}

export interface ShipPredictorOptions {
  readonly map?: ArenaMap;
  /** The room's tick length, s: prediction must step with the server's `dt` (TICK_SECONDS by default). */
  readonly tickSeconds?: number;
  /**
   * A correction larger than this (world units) is applied at once instead of smoothed: the ship
   * was teleported (a respawn, a long stall) and gliding there would look worse than a jump.
   */
  readonly snapDistance?: number;
  /** Time constant of the smoothing of small corrections, in ms: ~63 % is gone after this long. */
  readonly smoothingMs?: number;
  /** Unacked inputs kept at most (3 s at 30 Hz); older ones are dropped when the server is silent. */
  readonly maxPending?: number;
  /** The seq of the first input (1 on a new link; a predictor that replaces another continues its count). */
  readonly firstSeq?: number;
}

const DEFAULT_SNAP_DISTANCE = 96;
const DEFAULT_SMOOTHING_MS = 100;
const DEFAULT_MAX_PENDING = 90;

/**
 * Client-side prediction of the player's own ship. Every tick it steps the ship with the keys held
 * (the same `stepShip` and `dt` as the server) and remembers the input; on a snapshot it rewinds to
 * the server's state, drops the inputs the snapshot acknowledges and replays the rest. The shown
 * position carries an offset that hides small corrections and fades out.
 */
export class ShipPredictor {
  readonly #map: ArenaMap;
  readonly #dt: number;
  readonly #snapDistance: number;
  readonly #smoothingMs: number;
  readonly #maxPending: number;
  #ship: ShipState | null = null;
  /** The state before the last tick: drawing blends from it to `#ship` as the next tick nears. */
  #previous: ShipState | null = null;
  #pending: PendingInput[] = [];
  #nextSeq = 1;
  readonly #offset: Offset = { x: 0, y: 0 };
  /** Distance between the prediction and the replayed server state at the last snapshot. */
  lastCorrection = 0;

  constructor(options: ShipPredictorOptions = {}) {
    this.#map = options.map ?? ARENA_MAP;
    this.#dt = options.tickSeconds ?? TICK_SECONDS;
    this.#snapDistance = options.snapDistance ?? DEFAULT_SNAP_DISTANCE;
    this.#smoothingMs = options.smoothingMs ?? DEFAULT_SMOOTHING_MS;
    this.#maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.#nextSeq = options.firstSeq ?? 1;
  }

  /** The seq the next input will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** The predicted state; null until the first snapshot placed the ship. */
  get ship(): ShipState | null {
    return this.#ship;
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  /** The unacknowledged inputs, oldest first (the newest is the one `tick` just returned). */
  get pending(): readonly PendingInput[] {
    return this.#pending;
  }

  /** Runs one tick with `bits` held and returns the input to send. */
  tick(bits: number): PendingInput {
    const input: PendingInput = { seq: this.#nextSeq, bits };
    this.#nextSeq = (this.#nextSeq + 1) >>> 0 || 1;
    this.#pending.push(input);
    if (this.#pending.length > this.#maxPending) this.#pending.shift();
    this.#previous = this.#ship;
    if (this.#ship !== null) this.#ship = stepShip(this.#ship, bits, this.#dt, this.#map);
    return input;
  }

  /** Rewinds to the server's state of the ship as of input `ackSeq` and replays what came after. */
  reconcile(server: ShipState, ackSeq: number): void {
    if (ackSeq !== 0) this.#pending = this.#pending.filter((input) => isNewerSequence(input.seq, ackSeq));
    let replayed: ShipState = server;
    for (const input of this.#pending) replayed = stepShip(replayed, input.bits, this.#dt, this.#map);
    const before = this.#ship;
    this.#ship = replayed;
    if (before === null || this.#previous === null) {
      this.#previous = replayed;
      return;
    }
    const dx = before.x - replayed.x;
    const dy = before.y - replayed.y;
    this.lastCorrection = Math.hypot(dx, dy);
    if (this.lastCorrection > this.#snapDistance) {
      this.#offset.x = 0;
      this.#offset.y = 0;
      this.#previous = replayed;
      return;
    }
    // The whole blend moves with the correction, and the offset hides it: nothing jumps on screen.
    this.#previous = { ...this.#previous, x: this.#previous.x - dx, y: this.#previous.y - dy };
    this.#offset.x += dx;
    this.#offset.y += dy;
  }

  /**
   * Where to draw the ship, `elapsedMs` after the previous call: `alpha` (0 to 1, how far time has
   * come towards the next tick) of the way from the state before the last tick to the prediction,
   * plus the fading offset of past corrections. Blending costs one tick of display lag but moves
   * the ship every frame, where drawing the latest tick would move it in 33 ms steps.
   */
  shown(elapsedMs: number, alpha = 1): { x: number; y: number } | null {
    const ship = this.#ship;
    if (ship === null) return null;
    fadeOffset(this.#offset, elapsedMs, this.#smoothingMs);
    const from = this.#previous ?? ship;
    const t = Math.min(1, Math.max(0, alpha));
    return {
      x: from.x + (ship.x - from.x) * t + this.#offset.x,
      y: from.y + (ship.y - from.y) * t + this.#offset.y,
    };
  }
}
