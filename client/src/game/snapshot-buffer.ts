import { isNewerSequence, type SnapshotMessage, TICK_SECONDS } from '@starcatch/shared';

/** Where a remote ship is drawn. */
export interface ShownShip {
  readonly x: number;
  readonly y: number;
}

export interface SnapshotBufferOptions {
  /** How far behind the newest server time remote ships are drawn: two snapshot intervals. */
  readonly delayMs?: number;
  /** How far past the newest snapshot a ship may be extrapolated when snapshots are late. */
  readonly maxExtrapolationMs?: number;
  /** Snapshots kept (1.6 s at 20 Hz). */
  readonly capacity?: number;
  /**
   * How quickly the estimate of the server clock follows snapshots that arrive late (0 to 1 per
   * snapshot). Early arrivals move it at once: the earliest arrival is the best estimate.
   */
  readonly clockFollow?: number;
}

const TICK_MS = TICK_SECONDS * 1000;

interface Entry {
  readonly tick: number;
  readonly snapshot: SnapshotMessage;
}

/**
 * Remote ships, interpolated between snapshots a fixed delay behind the server. Snapshots are
 * keyed by tick (stale and duplicate ones are dropped), and placed on the server's time line
 * (tick × tick length), so arrival jitter does not shake the ships; the local clock is mapped to
 * that line by an offset learnt from arrivals.
 */
export class SnapshotBuffer {
  readonly #delayMs: number;
  readonly #maxExtrapolationMs: number;
  readonly #capacity: number;
  readonly #clockFollow: number;
  #entries: Entry[] = [];
  /** Server time (ms on the tick line) minus local time, as learnt so far. */
  #offset: number | null = null;

  constructor(options: SnapshotBufferOptions = {}) {
    this.#delayMs = options.delayMs ?? 100;
    this.#maxExtrapolationMs = options.maxExtrapolationMs ?? 100;
    this.#capacity = options.capacity ?? 32;
    this.#clockFollow = options.clockFollow ?? 0.05;
  }

  /** Snapshots held. */
  get depth(): number {
    return this.#entries.length;
  }

  /** Adds a snapshot received at local time `receivedAt` (ms); false when it was stale. */
  push(snapshot: SnapshotMessage, receivedAt: number): boolean {
    const newest = this.#entries.at(-1);
    if (newest && !isNewerSequence(snapshot.tick, newest.tick)) return false;
    this.#entries.push({ tick: snapshot.tick, snapshot });
    if (this.#entries.length > this.#capacity) this.#entries.shift();
    const sample = snapshot.tick * TICK_MS - receivedAt;
    if (this.#offset === null || sample > this.#offset) this.#offset = sample;
    else this.#offset += (sample - this.#offset) * this.#clockFollow;
    return true;
  }

  clear(): void {
    this.#entries = [];
    this.#offset = null;
  }

  /** Every ship of the snapshots at local time `now`, by slot. */
  sample(now: number): Map<number, ShownShip> {
    const shown = new Map<number, ShownShip>();
    const entries = this.#entries;
    const newest = entries.at(-1);
    if (!newest || this.#offset === null) return shown;
    const renderTick = (now + this.#offset - this.#delayMs) / TICK_MS;

    let older: Entry | undefined;
    let newer: Entry | undefined;
    for (const entry of entries) {
      if (entry.tick <= renderTick) older = entry;
      else {
        newer = entry;
        break;
      }
    }
    if (older && newer) {
      const t = (renderTick - older.tick) / (newer.tick - older.tick);
      const next = new Map(newer.snapshot.players.map((player) => [player.slot, player]));
      for (const player of older.snapshot.players) {
        const to = next.get(player.slot);
        shown.set(
          player.slot,
          to ? { x: player.x + (to.x - player.x) * t, y: player.y + (to.y - player.y) * t } : player,
        );
      }
      return shown;
    }
    if (!older) {
      // Render time is before everything held (just started): show the oldest state as it is.
      for (const player of entries[0]?.snapshot.players ?? []) shown.set(player.slot, { x: player.x, y: player.y });
      return shown;
    }
    // Render time is past the newest snapshot: carry on along the velocities, for a while only.
    const aheadMs = Math.min((renderTick - newest.tick) * TICK_MS, this.#maxExtrapolationMs);
    for (const player of newest.snapshot.players) {
      shown.set(player.slot, {
        x: player.x + (player.vx * aheadMs) / 1000,
        y: player.y + (player.vy * aheadMs) / 1000,
      });
    }
    return shown;
  }
}
