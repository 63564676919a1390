import { ARENA_MAP, type ArenaMap, isNewerSequence, type ShipState, stepShip, TICK_SECONDS } from '@starcatch/shared';

/** One input this tab sent and the server has not acknowledged yet. */
export interface PendingInput {
  readonly seq: number;
  readonly bits: number;
}

export interface ShipPredictorOptions {
  readonly map?: ArenaMap;
  /**
   * A correction larger than this (world units) is applied at once instead of smoothed: the ship
   * was teleported (a respawn, a long stall) and gliding there would look worse than a jump.
   */
  readonly snapDistance?: number;
  /** Time constant of the smoothing of small corrections, in ms: ~63 % is gone after this long. */
  readonly smoothingMs?: number;
  /** Unacked inputs kept at most (3 s at 30 Hz); older ones are dropped when the server is silent. */
  readonly maxPending?: number;
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
  readonly #snapDistance: number;
  readonly #smoothingMs: number;
  readonly #maxPending: number;
  #ship: ShipState | null = null;
  #pending: PendingInput[] = [];
  #nextSeq = 1;
  #offsetX = 0;
  #offsetY = 0;
  /** Distance between the prediction and the replayed server state at the last snapshot. */
  lastCorrection = 0;

  constructor(options: ShipPredictorOptions = {}) {
    this.#map = options.map ?? ARENA_MAP;
    this.#snapDistance = options.snapDistance ?? DEFAULT_SNAP_DISTANCE;
    this.#smoothingMs = options.smoothingMs ?? DEFAULT_SMOOTHING_MS;
    this.#maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  }

  /** The predicted state; null until the first snapshot placed the ship. */
  get ship(): ShipState | null {
    return this.#ship;
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Runs one tick with `bits` held and returns the input to send. */
  tick(bits: number): PendingInput {
    const input: PendingInput = { seq: this.#nextSeq, bits };
    this.#nextSeq = (this.#nextSeq + 1) >>> 0 || 1;
    this.#pending.push(input);
    if (this.#pending.length > this.#maxPending) this.#pending.shift();
    if (this.#ship !== null) this.#ship = stepShip(this.#ship, bits, TICK_SECONDS, this.#map);
    return input;
  }

  /** Rewinds to the server's state of the ship as of input `ackSeq` and replays what came after. */
  reconcile(server: ShipState, ackSeq: number): void {
    if (ackSeq !== 0) this.#pending = this.#pending.filter((input) => isNewerSequence(input.seq, ackSeq));
    let replayed: ShipState = server;
    for (const input of this.#pending) replayed = stepShip(replayed, input.bits, TICK_SECONDS, this.#map);
    const before = this.#ship;
    this.#ship = replayed;
    if (before === null) return;
    const dx = before.x - replayed.x;
    const dy = before.y - replayed.y;
    this.lastCorrection = Math.hypot(dx, dy);
    if (this.lastCorrection > this.#snapDistance) {
      this.#offsetX = 0;
      this.#offsetY = 0;
    } else {
      this.#offsetX += dx;
      this.#offsetY += dy;
    }
  }

  /** Where to draw the ship, `elapsedMs` after the previous call: the prediction plus the fading offset. */
  shown(elapsedMs: number): { x: number; y: number } | null {
    const ship = this.#ship;
    if (ship === null) return null;
    const keep = Math.exp(-Math.max(0, elapsedMs) / this.#smoothingMs);
    this.#offsetX *= keep;
    this.#offsetY *= keep;
    return { x: ship.x + this.#offsetX, y: ship.y + this.#offsetY };
  }
}
