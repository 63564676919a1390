import {
  ARENA_MAP,
  type ArenaMap,
  DEFAULT_GAME_RATES,
  encodeInput,
  type GameRates,
  isNewerSequence,
  MAX_INPUT_HISTORY,
  type SnapshotMessage,
  tickMs,
  toWireTime,
} from '@starcatch/shared';
import type { NetcodeStats } from '../state/netcode-stats.ts';
import type { GameConnection } from './game-connection.ts';
import { MotionMeter } from './motion-meter.ts';
import { RemoteSmoother } from './remote-smoother.ts';
import { RollingPercentile } from './rolling-percentile.ts';
import { ShipPredictor } from './ship-predictor.ts';
import { type ShownShip, SnapshotBuffer } from './snapshot-buffer.ts';

export interface GameNetcodeOptions {
  /** The link of the room; the netcode listens to its snapshots and events until `dispose`. */
  readonly link: GameConnection;
  /** This player's slot in the match; null until the match names it. */
  readonly yourSlot: () => number | null;
  /**
   * The room's rates, from its `sync` (see `Match.rates`); null until it came. No input is sent
   * before: prediction must step with the server's `dt`.
   */
  readonly rates: () => GameRates | null;
  /** Monotonic ms (`performance.now()`). */
  readonly now?: () => number;
  readonly map?: ArenaMap;
  /** Earlier inputs repeated in each INPUT message; INPUT_REDUNDANCY by default, 0 for plain 11-byte inputs. */
  readonly inputRedundancy?: number;
  /** A fixed interpolation delay (experiments); absent: adaptive. */
  readonly interpolationDelayMs?: number;
}

/**
 * Each INPUT also carries the 3 before it: a lost `state` datagram then costs nothing unless four
 * in a row are lost (0.05⁴ ≈ 6 in a million at 5 % loss), for 3 bytes more per message.
 */
export const INPUT_REDUNDANCY = 3;
/** Ticks caught up at most after a stall; beyond that the time is dropped rather than replayed at once. */
export const MAX_CATCH_UP_TICKS = 5;
/** Unacked inputs allowed beyond the round trip: a snapshot interval (1.5 ticks) and some jitter. */
const INPUT_SLACK_TICKS = 3;
/** In-flight ticks assumed until a round trip has been measured. */
const UNKNOWN_RTT_TICKS = 6;
/** Inputs remembered for timing their ack: a few seconds' worth. */
const SENT_INPUT_MEMORY = 256;
/** Rounding slack of the step clock. */
const TICK_EPSILON_MS = 1e-6;
/** A correction smaller than this is rounding, not a misprediction. */
const CORRECTION_EPSILON_UNITS = 0.01;

/** What to draw this frame. */
export interface NetcodeFrame {
  /** The own ship, predicted; null until a snapshot placed it. */
  readonly own: ShownShip | null;
  /** Every other ship, interpolated and smoothed, by slot. */
  readonly remote: ReadonlyMap<number, ShownShip>;
}

/**
 * The client side of the netcode, without any drawing, so the game scene and the bench's headless
 * bots run the same code:
 * - a fixed-step clock at the room's tick rate: each step predicts the own ship one tick
 *   (`ShipPredictor`) and sends the input, with the previous few (input redundancy);
 * - snapshots reconcile the prediction (corrections fade out over a few frames) and fill the
 *   interpolation buffer (`SnapshotBuffer`: adaptive delay, bounded extrapolation);
 * - remote ships are drawn through `RemoteSmoother`, and everything drawn is measured
 *   (`MotionMeter`) for `stats()`.
 * The room's rates come with its `sync`; a change starts prediction and interpolation afresh.
 */
export class GameNetcode {
  readonly #options: GameNetcodeOptions;
  readonly #now: () => number;
  readonly #map: ArenaMap;
  readonly #redundancy: number;
  readonly #unsubscribe: (() => void)[];
  #rates: GameRates = DEFAULT_GAME_RATES;
  #predictor: ShipPredictor;
  #buffer: SnapshotBuffer;
  #smoother = new RemoteSmoother();
  readonly #remoteMotion = new MotionMeter();
  readonly #ownMotion = new MotionMeter();
  readonly #correctionSizes = new RollingPercentile();
  readonly #sentAt = new Map<number, number>();
  #accumulator = 0;
  #lastTickAt: number | null = null;
  #lastFrameAt: number | null = null;
  #lastAck = 0;
  #inputAckMs: number | null = null;
  #floorAckMs = Number.POSITIVE_INFINITY;
  #sent = 0;
  #skipped = 0;
  /** The last on-time snapshot showed the server holding a queue of our inputs: skip one tick. */
  #skipDue = false;
  #corrections = { count: 0, last: 0, max: 0 };
  #extrapolation = { frames: 0, dryRuns: 0, maxMs: 0, dry: false };

  constructor(options: GameNetcodeOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#map = options.map ?? ARENA_MAP;
    this.#redundancy = Math.min(MAX_INPUT_HISTORY, Math.max(0, options.inputRedundancy ?? INPUT_REDUNDANCY));
    this.#predictor = this.#newPredictor();
    this.#buffer = this.#newBuffer();
    this.#unsubscribe = [options.link.onSnapshot((snapshot) => this.#snapshot(snapshot))];
  }

  get rates(): GameRates {
    return this.#rates;
  }

  /** One tick, ms, at the room's rate. */
  get tickMs(): number {
    return tickMs(this.#rates);
  }

  /** The predicted own ship (not smoothed); null until placed. */
  get ship(): { readonly x: number; readonly y: number } | null {
    return this.#predictor.ship;
  }

  get pendingCount(): number {
    return this.#predictor.pendingCount;
  }

  /** Runs the ticks due by now with `bits` held; each sends one input. Call it at least twice per tick. */
  runTicks(bits: number): void {
    const now = this.#now();
    if (!this.#followRates()) {
      this.#lastTickAt = null;
      return;
    }
    const elapsed = this.#lastTickAt === null ? 0 : now - this.#lastTickAt;
    this.#lastTickAt = now;
    const step = this.tickMs;
    this.#accumulator = Math.min(this.#accumulator + elapsed, MAX_CATCH_UP_TICKS * step);
    // A hair of slack: 1000/30 ms steps do not add up exactly in binary floating point.
    while (this.#accumulator >= step - TICK_EPSILON_MS) {
      this.#accumulator -= step;
      this.#tick(bits, now);
    }
  }

  /**
   * Positions to draw at this moment; call once per rendered frame (it advances the smoothing), with
   * the keys held: ticks that fell due since the step timer last ran are run first, so a late timer
   * never shows as a stalled ship.
   */
  frame(bits: number): NetcodeFrame {
    this.runTicks(bits);
    const now = this.#now();
    const elapsed = this.#lastFrameAt === null ? 0 : now - this.#lastFrameAt;
    this.#lastFrameAt = now;
    this.#followRates();
    const yourSlot = this.#options.yourSlot();
    const sampled = this.#buffer.sample(now);
    const { extrapolatedMs } = this.#buffer.reading;
    this.#countExtrapolation(extrapolatedMs, sampled.size > 0);
    const remote = new Map<number, ShownShip>();
    for (const [slot, target] of sampled) {
      if (slot === yourSlot) continue;
      const shown = this.#smoother.shown(slot, target, elapsed);
      remote.set(slot, shown);
      this.#remoteMotion.frame(slot, shown.x, shown.y, now);
    }
    const slots = new Set(remote.keys());
    this.#smoother.retain(slots);
    this.#remoteMotion.retain(slots);
    const own = this.#predictor.shown(elapsed, this.#accumulator / this.tickMs);
    if (own) this.#ownMotion.frame(0, own.x, own.y, now);
    return { own, remote };
  }

  /** Starts a new measurement window for the figures that are maxima or percentiles. */
  resetStats(): void {
    this.#remoteMotion.reset();
    this.#ownMotion.reset();
    this.#correctionSizes.clear();
    this.#corrections = { count: 0, last: 0, max: 0 };
    this.#extrapolation = { frames: 0, dryRuns: 0, maxMs: 0, dry: false };
  }

  stats(): NetcodeStats {
    const { arrivals, reading } = this.#buffer;
    const remote = this.#remoteMotion.reading;
    return {
      rates: this.#rates,
      inputAckMs: this.#inputAckMs,
      inputs: { sent: this.#sent, redundancy: this.#redundancy, skipped: this.#skipped },
      snapshots: { ...arrivals.counts, jitterMs: arrivals.jitterMs, latenessMs: arrivals.latenessMs },
      interpolation: {
        delayMs: reading.delayMs,
        bufferedMs: reading.bufferedMs,
        depth: reading.ahead,
        extrapolatedFrames: this.#extrapolation.frames,
        dryRuns: this.#extrapolation.dryRuns,
        maxExtrapolatedMs: this.#extrapolation.maxMs,
      },
      corrections: {
        count: this.#corrections.count,
        lastUnits: this.#corrections.last,
        maxUnits: this.#corrections.max,
        p95Units: this.#correctionSizes.percentile(95),
      },
      remote: {
        maxJumpUnits: remote.maxJump,
        jerkP95: remote.jerkP95,
        maxJerk: remote.maxJerk,
        frames: remote.frames,
      },
      own: { maxJumpUnits: this.#ownMotion.reading.maxJump },
    };
  }

  dispose(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe.length = 0;
  }

  #newPredictor(firstSeq = 1): ShipPredictor {
    return new ShipPredictor({ map: this.#map, tickSeconds: 1 / this.#rates.tickHz, firstSeq });
  }

  #newBuffer(): SnapshotBuffer {
    const delayMs = this.#options.interpolationDelayMs;
    return new SnapshotBuffer({ rates: this.#rates, map: this.#map, ...(delayMs !== undefined && { delayMs }) });
  }

  #tick(bits: number, now: number): void {
    if (this.#skipDue) {
      this.#skipDue = false;
      this.#skipped++;
      return;
    }
    const input = this.#predictor.tick(bits);
    const pending = this.#predictor.pending;
    // The inputs sent just before this one, newest first, as long as the server has not acked them.
    const earlier: number[] = [];
    for (let i = pending.length - 2; i >= 0 && earlier.length < this.#redundancy; i--) {
      earlier.push((pending[i] as { bits: number }).bits);
    }
    this.#sentAt.set(input.seq, now);
    if (this.#sentAt.size > SENT_INPUT_MEMORY) {
      const oldest = this.#sentAt.keys().next().value;
      if (oldest !== undefined) this.#sentAt.delete(oldest);
    }
    this.#sent++;
    this.#options.link.sendInput(
      encodeInput({ seq: input.seq, bits: input.bits, clientTime: toWireTime(now), earlier }),
    );
  }

  /**
   * True when the server holds a queue of our inputs: more are unacknowledged than the network and
   * the snapshot interval account for. The server applies one input per tick, so a client clock a
   * little fast, or a burst after a stall, would otherwise add a tick of delay per queued input for
   * good; skipping a tick drains it by one. Judged only on a snapshot that came on time: during a
   * stall (a TCP retransmission) acks are late because snapshots are, not because inputs queue,
   * and a skipped tick with no queue to drain is a tick the server steps on stale keys.
   */
  #backlogged(): boolean {
    if (this.#buffer.arrivals.lastLatenessMs > this.tickMs) return false;
    const inFlight = Number.isFinite(this.#floorAckMs) ? Math.ceil(this.#floorAckMs / this.tickMs) : UNKNOWN_RTT_TICKS;
    return this.#predictor.pendingCount > inFlight + INPUT_SLACK_TICKS;
  }

  #snapshot(snapshot: SnapshotMessage): void {
    const now = this.#now();
    if (!this.#buffer.push(snapshot, now)) return;
    if (snapshot.ackSeq !== 0 && isNewerSequence(snapshot.ackSeq, this.#lastAck)) {
      this.#lastAck = snapshot.ackSeq;
      const sentAt = this.#sentAt.get(snapshot.ackSeq);
      if (sentAt !== undefined) {
        this.#inputAckMs = now - sentAt;
        this.#floorAckMs = Math.min(this.#floorAckMs, this.#inputAckMs);
      }
    }
    const slot = this.#options.yourSlot();
    const you = snapshot.players.find((player) => player.slot === slot);
    if (!you) return;
    const placed = this.#predictor.ship !== null;
    this.#predictor.reconcile({ x: you.x, y: you.y, vx: you.vx, vy: you.vy }, snapshot.ackSeq);
    if (this.#backlogged()) this.#skipDue = true;
    if (!placed) return;
    const size = this.#predictor.lastCorrection;
    if (size <= CORRECTION_EPSILON_UNITS) return;
    this.#corrections.count++;
    this.#corrections.last = size;
    this.#corrections.max = Math.max(this.#corrections.max, size);
    this.#correctionSizes.add(size);
  }

  /** Takes the room's rates when they are known or changed; false while they are not known. */
  #followRates(): boolean {
    const rates = this.#options.rates();
    if (rates === null) return false;
    if (rates.tickHz === this.#rates.tickHz && rates.snapshotHz === this.#rates.snapshotHz) return true;
    // Another step length: what was predicted and buffered so far was timed by the old one. The
    // seqs go on, since the server drops any it has seen before.
    this.#rates = rates;
    this.#predictor = this.#newPredictor(this.#predictor.nextSeq);
    this.#buffer = this.#newBuffer();
    this.#smoother = new RemoteSmoother();
    this.#accumulator = 0;
    this.#floorAckMs = Number.POSITIVE_INFINITY;
    return true;
  }

  #countExtrapolation(extrapolatedMs: number, drawing: boolean): void {
    const dry = drawing && extrapolatedMs > 0;
    if (dry) {
      this.#extrapolation.frames++;
      this.#extrapolation.maxMs = Math.max(this.#extrapolation.maxMs, extrapolatedMs);
      if (!this.#extrapolation.dry) this.#extrapolation.dryRuns++;
    }
    this.#extrapolation.dry = dry;
  }
}
