import type { RoomState } from '../room.ts';
import { INTERMISSION_SECONDS, ROUND_SECONDS, TIMER_EPSILON_SECONDS } from './constants.ts';

/**
 * Round timing as a pure value: `waiting` (nobody in the room) → `playing` (ROUND_SECONDS) →
 * `intermission` (INTERMISSION_SECONDS) → `playing` again, and back to `waiting` whenever the room
 * empties. A round starts as soon as one player is present: solo play is allowed, and nobody waits
 * for a quorum that may never come.
 */
export interface RoundClock {
  readonly phase: RoomState;
  /** Rounds started so far; while playing or in intermission, the number of the current round. */
  readonly round: number;
  /** Seconds left in the phase; 0 while waiting. */
  readonly remaining: number;
}

/** The phase lengths, overridable so tests and demos can run short rounds. */
export interface RoundTiming {
  readonly roundSeconds: number;
  readonly intermissionSeconds: number;
}

export const DEFAULT_ROUND_TIMING: RoundTiming = Object.freeze({
  roundSeconds: ROUND_SECONDS,
  intermissionSeconds: INTERMISSION_SECONDS,
});

export const INITIAL_ROUND_CLOCK: RoundClock = Object.freeze({ phase: 'waiting', round: 0, remaining: 0 });

/** What a phase change means for the game. Every change of `phase` reports exactly one of these. */
export const RoundTransition = {
  /** A new round began (scores reset, stars appear). */
  started: 'started',
  /** The round's time ran out: results are final and the intermission begins. */
  ended: 'ended',
  /** The room emptied: back to waiting; a round in progress gets no result. */
  abandoned: 'abandoned',
} as const;
export type RoundTransition = (typeof RoundTransition)[keyof typeof RoundTransition];

export interface RoundAdvance {
  readonly clock: RoundClock;
  readonly transition: RoundTransition | null;
}

/**
 * Advances the clock by one step of `dt` seconds with `playerCount` players in the room. The step
 * that starts a round does not count towards it, so a 90 s round at 30 Hz is exactly 2700 playing
 * steps: the start step and the 2699 after it.
 */
export function advanceRoundClock(
  clock: RoundClock,
  playerCount: number,
  dt: number,
  timing: RoundTiming = DEFAULT_ROUND_TIMING,
): RoundAdvance {
  if (playerCount <= 0) {
    if (clock.phase === 'waiting') return { clock, transition: null };
    return { clock: { phase: 'waiting', round: clock.round, remaining: 0 }, transition: RoundTransition.abandoned };
  }
  const start: RoundAdvance = {
    clock: { phase: 'playing', round: clock.round + 1, remaining: timing.roundSeconds },
    transition: RoundTransition.started,
  };
  if (clock.phase === 'waiting') return start;
  const remaining = clock.remaining - (Number.isNaN(dt) ? 0 : Math.max(dt, 0));
  if (remaining > TIMER_EPSILON_SECONDS) return { clock: { ...clock, remaining }, transition: null };
  if (clock.phase === 'intermission') return start;
  return {
    clock: { phase: 'intermission', round: clock.round, remaining: timing.intermissionSeconds },
    transition: RoundTransition.ended,
  };
}
