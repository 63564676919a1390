import { DEFAULT_GAME_RATES, DEFAULT_ROUND_TIMING, type GameRates, type RoundTiming } from '@starcatch/shared';

/** A per-link input budget: a token bucket. */
export interface InputBudget {
  /** Inputs accepted at once. */
  readonly burst: number;
  /** Sustained inputs per second. */
  readonly perSecond: number;
}

/** The tunables of a room's simulation; `config.ts` fills them from the environment. */
export interface SimulationSettings {
  /** Round and intermission lengths: 90 s and 5 s in play, shrunk by tests and demos. */
  readonly timing: RoundTiming;
  /** Ticks and snapshots per second (`GAME_TICK_HZ`, `SNAPSHOT_HZ`): 30 and 20. */
  readonly rates: GameRates;
  /**
   * Ticks run back to back after a stall (GC pause, busy event loop). Anything beyond is skipped
   * rather than fast-forwarded: the room loses that game time, and the clients' interpolation
   * buffers are not flooded with a burst of snapshots.
   */
  readonly maxCatchUpTicks: number;
  /** Per link. A client sends one input per tick (`rates.tickHz` per second), so that is the floor. */
  readonly inputBudget: InputBudget;
  /**
   * Inputs waiting per link. One is applied per tick, as the client's prediction applies it, so a
   * burst (several inputs in one tick window) waits its turn; past this depth the oldest is dropped.
   */
  readonly inputQueueLimit: number;
}

/** 4 ticks: 133 ms of backlog, beyond which catching up would be a visible fast-forward. */
export const DEFAULT_MAX_CATCH_UP_TICKS = 4;
/** Twice the client's 30 Hz sustained, and a full second of inputs at once for a tab that stalled. */
export const DEFAULT_INPUT_BUDGET: InputBudget = Object.freeze({ burst: 30, perSecond: 60 });

/** The default budget scaled to another tick rate: a second of inputs at once, twice the rate sustained. */
export function inputBudgetFor(tickHz: number): InputBudget {
  const scale = tickHz / DEFAULT_GAME_RATES.tickHz;
  return { burst: Math.ceil(DEFAULT_INPUT_BUDGET.burst * scale), perSecond: DEFAULT_INPUT_BUDGET.perSecond * scale };
}
/** 4 ticks: at most 133 ms of added input delay before inputs are dropped. */
export const DEFAULT_INPUT_QUEUE_LIMIT = 4;

export const DEFAULT_SIMULATION_SETTINGS: SimulationSettings = Object.freeze({
  timing: DEFAULT_ROUND_TIMING,
  rates: DEFAULT_GAME_RATES,
  maxCatchUpTicks: DEFAULT_MAX_CATCH_UP_TICKS,
  inputBudget: DEFAULT_INPUT_BUDGET,
  inputQueueLimit: DEFAULT_INPUT_QUEUE_LIMIT,
});
