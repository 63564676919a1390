import {
  ARENA_MAP,
  type ArenaMap,
  DEFAULT_GAME_RATES,
  type GameRates,
  isNewerSequence,
  moveCircle,
  SHIP_RADIUS,
  type SnapshotMessage,
  snapshotGapMs,
  tickMs,
} from '@starcatch/shared';
import { InterpolationDelay } from './interpolation-delay.ts';
import { SnapshotArrivals } from './snapshot-arrivals.ts';

/** Where a remote ship is drawn. */
export interface ShownShip {
  readonly x: number;
  readonly y: number;
}

export interface SnapshotBufferOptions {
  /** The room's tick and snapshot rates (from its `sync`). */
  readonly rates?: GameRates;
  /**
   * A fixed interpolation delay, ms. Absent: adaptive (see `InterpolationDelay`), between a snapshot
   * interval and CEILING_MS, following how late snapshots arrive.
   */
  readonly delayMs?: number;
  /** Bounds the adaptive delay (tests, experiments). */
  readonly delay?: InterpolationDelay;
  /** How far past the newest snapshot a ship may be extrapolated when snapshots are late. */
  readonly maxExtrapolationMs?: number;
  /** Snapshots kept (1.6 s at 20 Hz). */
  readonly capacity?: number;
  /** Walls that extrapolated ships stop at. */
  readonly map?: ArenaMap;
}

/** 100 ms of guessing: past it a ship holds still until news arrives, rather than flying on through the unknown. */
export const DEFAULT_MAX_EXTRAPOLATION_MS = 100;
/** How fast the playback clock may run fast or slow to reach its target: ±10 %, too little to see. */
export const MAX_CLOCK_WARP = 0.1;
/** The playback clock closes its gap over about this long (then limited by MAX_CLOCK_WARP). */
const CLOCK_CATCH_UP_MS = 250;
/**
 * A gap this large (a stalled tab, a new path) is jumped rather than eased over. Anything shorter,
 * such as a TCP retransmission stall of several hundred ms, is eased back at MAX_CLOCK_WARP: the
 * ships pause and then run a little fast, and nothing teleports.
 */
const CLOCK_SNAP_MS = 2000;

interface Entry {
  readonly tick: number;
  readonly snapshot: SnapshotMessage;
}

/** What the last `sample` found, for the overlay and the meter. */
export interface BufferReading {
  /** The interpolation delay in use, ms. */
  readonly delayMs: number;
  /** Server time buffered past the render time, ms (negative while extrapolating). */
  readonly bufferedMs: number;
  /** Snapshots newer than the render time. */
  readonly ahead: number;
  /** How far past the newest snapshot ships were drawn, ms; 0 while interpolating. */
  readonly extrapolatedMs: number;
}

/**
 * Remote ships, interpolated between snapshots a delay behind the server. Snapshots are keyed by
 * tick (stale and duplicate ones are dropped) and placed on the server's time line (tick × tick
 * length), so arrival jitter does not shake the ships; the local clock is mapped to that line by
 * the earliest recent arrival (`SnapshotArrivals`).
 *
 * Render time runs on a playback clock that follows its target (server time now − delay) by
 * running up to 10 % fast or slow, instead of jumping when the delay or the clock estimate moves:
 * a jump of the render time would be a jump of every remote ship. When snapshots stop, ships are
 * extrapolated along their velocity (stopping at walls) for at most `maxExtrapolationMs`.
 */
export class SnapshotBuffer {
  readonly arrivals: SnapshotArrivals;
  readonly #tickMs: number;
  readonly #fixedDelayMs: number | undefined;
  readonly #delay: InterpolationDelay;
  readonly #maxExtrapolationMs: number;
  readonly #capacity: number;
  readonly #map: ArenaMap;
  #entries: Entry[] = [];
  /** Render time on the server's tick line (ms), and the local time it was last advanced at. */
  #renderTime: number | null = null;
  #sampledAt = 0;
  #delayUpdatedAt: number | null = null;
  #reading: BufferReading;

  constructor(options: SnapshotBufferOptions = {}) {
    const rates = options.rates ?? DEFAULT_GAME_RATES;
    this.#tickMs = tickMs(rates);
    this.arrivals = new SnapshotArrivals(rates);
    this.#fixedDelayMs = options.delayMs;
    this.#delay = options.delay ?? new InterpolationDelay({ snapshotIntervalMs: snapshotGapMs(rates) });
    this.#maxExtrapolationMs = options.maxExtrapolationMs ?? DEFAULT_MAX_EXTRAPOLATION_MS;
    this.#capacity = options.capacity ?? 32;
    this.#map = options.map ?? ARENA_MAP;
    this.#reading = { delayMs: this.delayMs, bufferedMs: 0, ahead: 0, extrapolatedMs: 0 };
  }

  /** Snapshots held. */
  get depth(): number {
    return this.#entries.length;
  }

  /** The interpolation delay in use now, ms. */
  get delayMs(): number {
    return this.#fixedDelayMs ?? this.#delay.ms;
  }

  /** What the last `sample` found. */
  get reading(): BufferReading {
    return this.#reading;
  }

  /** Adds a snapshot received at local time `receivedAt` (ms); false when it was stale. */
  push(snapshot: SnapshotMessage, receivedAt: number): boolean {
    const newest = this.#entries.at(-1);
    if (newest && !isNewerSequence(snapshot.tick, newest.tick)) {
      this.arrivals.lateArrival();
      return false;
    }
    this.#entries.push({ tick: snapshot.tick, snapshot });
    if (this.#entries.length > this.#capacity) this.#entries.shift();
    this.arrivals.arrived(snapshot.tick, receivedAt);
    if (this.#fixedDelayMs === undefined) {
      this.#delay.update(this.arrivals.latenessMs, this.arrivals.missingShare, this.#delayElapsed(receivedAt));
    }
    return true;
  }

  clear(): void {
    this.#entries = [];
    this.#renderTime = null;
  }

  /** Every ship of the snapshots at local time `now`, by slot. */
  sample(now: number): Map<number, ShownShip> {
    const shown = new Map<number, ShownShip>();
    const entries = this.#entries;
    const newest = entries.at(-1);
    const offset = this.arrivals.offset;
    if (!newest || offset === null) return shown;
    // While snapshots are late the render time waits at the end of the bounded extrapolation, then
    // resumes from there (and the clock eases back): ships pause rather than jump ahead.
    const limit = newest.tick * this.#tickMs + this.#maxExtrapolationMs;
    const renderTime = this.#advanceClock(now, now + offset - this.delayMs, limit);
    const renderTick = renderTime / this.#tickMs;

    let older: Entry | undefined;
    let newer: Entry | undefined;
    let ahead = 0;
    for (const entry of entries) {
      if (entry.tick <= renderTick) older = entry;
      else {
        newer ??= entry;
        ahead++;
      }
    }
    const bufferedMs = newest.tick * this.#tickMs - renderTime;
    if (older && newer) {
      this.#reading = { delayMs: this.delayMs, bufferedMs, ahead, extrapolatedMs: 0 };
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
      this.#reading = { delayMs: this.delayMs, bufferedMs, ahead, extrapolatedMs: 0 };
      for (const player of entries[0]?.snapshot.players ?? []) shown.set(player.slot, { x: player.x, y: player.y });
      return shown;
    }
    // Render time is past the newest snapshot: carry on along the velocities, for a while only.
    const aheadMs = Math.min(renderTime - newest.tick * this.#tickMs, this.#maxExtrapolationMs);
    this.#reading = { delayMs: this.delayMs, bufferedMs, ahead: 0, extrapolatedMs: aheadMs };
    for (const player of newest.snapshot.players) {
      if (aheadMs <= 0 || (player.vx === 0 && player.vy === 0)) {
        shown.set(player.slot, { x: player.x, y: player.y });
        continue;
      }
      const moved = moveCircle(player, SHIP_RADIUS, aheadMs / 1000, this.#map.walls);
      shown.set(player.slot, { x: moved.x, y: moved.y });
    }
    return shown;
  }

  /** Local ms since the delay was last updated (its fall is paced in real time). */
  #delayElapsed(now: number): number {
    const elapsed = this.#delayUpdatedAt === null ? 0 : now - this.#delayUpdatedAt;
    this.#delayUpdatedAt = now;
    return elapsed;
  }

  /**
   * Advances the playback clock to local time `now`, easing towards `target` but never past `limit`;
   * returns the render time.
   */
  #advanceClock(now: number, target: number, limit: number): number {
    const elapsed = now - this.#sampledAt;
    this.#sampledAt = now;
    if (this.#renderTime === null || elapsed < 0 || Math.abs(target - this.#renderTime - elapsed) > CLOCK_SNAP_MS) {
      this.#renderTime = Math.min(target, limit);
      return this.#renderTime;
    }
    const gap = target - (this.#renderTime + elapsed);
    const warp = Math.max(-MAX_CLOCK_WARP, Math.min(MAX_CLOCK_WARP, gap / CLOCK_CATCH_UP_MS));
    const step = elapsed * (1 + warp);
    // Never past the target: easing must not overshoot it.
    const next = gap >= 0 ? Math.min(this.#renderTime + step, target) : Math.max(this.#renderTime + step, target);
    this.#renderTime = Math.max(this.#renderTime, Math.min(next, limit));
    return this.#renderTime;
  }
}
