import { SNAPSHOT_RATE, TICK_RATE } from './constants.ts';

/**
 * How often a room steps and how often it tells each player: the server's `GAME_TICK_HZ` and
 * `SNAPSHOT_HZ`. The client learns them from the `sync` event, because its prediction must step
 * with the server's `dt` to agree with it bit for bit.
 */
export interface GameRates {
  /** Simulation steps per second (the client sends one input per step). */
  readonly tickHz: number;
  /** Snapshots per second to each player; at most `tickHz`. */
  readonly snapshotHz: number;
}

/** 30/20: the measurements in docs/netcode.md put the default there. */
export const DEFAULT_GAME_RATES: GameRates = Object.freeze({ tickHz: TICK_RATE, snapshotHz: SNAPSHOT_RATE });

/** The range a server accepts for `GAME_TICK_HZ`: below 10 Hz inputs feel late; above 120 the CPU cost buys nothing. */
export const MIN_TICK_HZ = 10;
export const MAX_TICK_HZ = 120;
/** The slowest snapshot rate accepted: slower than 5 Hz and the interpolation delay alone exceeds 200 ms. */
export const MIN_SNAPSHOT_HZ = 5;

/** Why a pair of rates is refused, or null when it is fine. */
export function gameRatesProblem(rates: GameRates): string | null {
  const { tickHz, snapshotHz } = rates;
  if (!Number.isInteger(tickHz) || tickHz < MIN_TICK_HZ || tickHz > MAX_TICK_HZ) {
    return `tick rate must be a whole number from ${MIN_TICK_HZ} to ${MAX_TICK_HZ}, got ${tickHz}`;
  }
  if (!Number.isInteger(snapshotHz) || snapshotHz < MIN_SNAPSHOT_HZ || snapshotHz > tickHz) {
    return `snapshot rate must be a whole number from ${MIN_SNAPSHOT_HZ} to the tick rate (${tickHz}), got ${snapshotHz}`;
  }
  return null;
}

/** One tick's length in ms. */
export function tickMs(rates: GameRates): number {
  return 1000 / rates.tickHz;
}

/**
 * The longest wait between two snapshots, ms: snapshots ride on ticks, so at 30/20 they come 33 and
 * 67 ms apart in turn, and interpolation must cover the 67.
 */
export function snapshotGapMs(rates: GameRates): number {
  return Math.ceil(rates.tickHz / rates.snapshotHz) * tickMs(rates);
}

/**
 * Whether tick `tick` is one the server sends a snapshot after: `snapshotHz` of every `tickHz`
 * ticks, spread evenly (2 of every 3 at 30/20) and never drifting from the tick count.
 */
export function isSnapshotTick(tick: number, rates: GameRates): boolean {
  const { tickHz, snapshotHz } = rates;
  return Math.floor((tick * snapshotHz) / tickHz) > Math.floor(((tick - 1) * snapshotHz) / tickHz);
}

/** Snapshot ticks strictly between two ticks (`from` < `to`): what arrived in between was expected. */
export function snapshotTicksBetween(from: number, to: number, rates: GameRates): number {
  const { tickHz, snapshotHz } = rates;
  if (!(to > from + 1)) return 0;
  return Math.floor(((to - 1) * snapshotHz) / tickHz) - Math.floor((from * snapshotHz) / tickHz);
}

/**
 * The rates a `sync` event announces (its `tick_hz` and `snapshot_hz`; typed by shape, since
 * `events.ts` imports this module); a server older than the fields runs at the defaults.
 */
export function ratesOfSync(sync: { readonly tick_hz?: number; readonly snapshot_hz?: number }): GameRates {
  const rates = {
    tickHz: sync.tick_hz ?? DEFAULT_GAME_RATES.tickHz,
    snapshotHz: sync.snapshot_hz ?? DEFAULT_GAME_RATES.snapshotHz,
  };
  return gameRatesProblem(rates) === null ? rates : DEFAULT_GAME_RATES;
}
