import { describe, expect, it } from 'vitest';
import { INTERMISSION_SECONDS, ROUND_SECONDS, TICK_RATE, TICK_SECONDS } from '../../src/game/constants.ts';
import {
  advanceRoundClock,
  INITIAL_ROUND_CLOCK,
  type RoundClock,
  type RoundTransition,
} from '../../src/game/round-clock.ts';

/** Advances tick by tick and reports each transition with the 1-based step it happened on. */
function run(clock: RoundClock, players: number, steps: number) {
  const transitions: Array<[number, RoundTransition]> = [];
  let current = clock;
  for (let i = 1; i <= steps; i++) {
    const next = advanceRoundClock(current, players, TICK_SECONDS);
    if (next.transition) transitions.push([i, next.transition]);
    current = next.clock;
  }
  return { clock: current, transitions };
}

describe('round clock', () => {
  it('waits while the room is empty', () => {
    const next = advanceRoundClock(INITIAL_ROUND_CLOCK, 0, TICK_SECONDS);
    expect(next).toEqual({ clock: INITIAL_ROUND_CLOCK, transition: null });
  });

  it('starts round 1 as soon as one player is present', () => {
    expect(advanceRoundClock(INITIAL_ROUND_CLOCK, 1, TICK_SECONDS)).toEqual({
      clock: { phase: 'playing', round: 1, remaining: ROUND_SECONDS },
      transition: 'started',
    });
  });

  it('plays exactly ROUND_SECONDS × TICK_RATE steps, then an intermission of exactly its length', () => {
    const started = advanceRoundClock(INITIAL_ROUND_CLOCK, 3, TICK_SECONDS).clock;
    const roundSteps = ROUND_SECONDS * TICK_RATE;
    const intermissionSteps = INTERMISSION_SECONDS * TICK_RATE;
    const { clock, transitions } = run(started, 3, roundSteps + intermissionSteps);
    // The start step was step 0 of the round: the round ends on step 2700 after it.
    expect(transitions).toEqual([
      [roundSteps, 'ended'],
      [roundSteps + intermissionSteps, 'started'],
    ]);
    expect(clock).toEqual({ phase: 'playing', round: 2, remaining: ROUND_SECONDS });
  });

  it('reports the intermission length when a round ends', () => {
    const almostOver: RoundClock = { phase: 'playing', round: 4, remaining: TICK_SECONDS };
    expect(advanceRoundClock(almostOver, 1, TICK_SECONDS)).toEqual({
      clock: { phase: 'intermission', round: 4, remaining: INTERMISSION_SECONDS },
      transition: 'ended',
    });
  });

  it('abandons a round, or an intermission, when the room empties', () => {
    const playing: RoundClock = { phase: 'playing', round: 2, remaining: 40 };
    expect(advanceRoundClock(playing, 0, TICK_SECONDS)).toEqual({
      clock: { phase: 'waiting', round: 2, remaining: 0 },
      transition: 'abandoned',
    });
    const resting: RoundClock = { phase: 'intermission', round: 2, remaining: 3 };
    expect(advanceRoundClock(resting, 0, TICK_SECONDS).transition).toBe('abandoned');
    // The next round keeps counting from where the room was.
    const waiting = advanceRoundClock(playing, 0, TICK_SECONDS).clock;
    expect(advanceRoundClock(waiting, 1, TICK_SECONDS).clock.round).toBe(3);
  });

  it('takes custom phase lengths', () => {
    const timing = { roundSeconds: 1, intermissionSeconds: 0.5 };
    let clock = advanceRoundClock(INITIAL_ROUND_CLOCK, 1, TICK_SECONDS, timing).clock;
    const seen: Array<[number, RoundTransition]> = [];
    for (let i = 1; i <= 45; i++) {
      const next = advanceRoundClock(clock, 1, TICK_SECONDS, timing);
      if (next.transition) seen.push([i, next.transition]);
      clock = next.clock;
    }
    expect(seen).toEqual([
      [30, 'ended'],
      [45, 'started'],
    ]);
  });

  it('does not run backwards or stall on a bad dt', () => {
    const playing: RoundClock = { phase: 'playing', round: 1, remaining: 10 };
    expect(advanceRoundClock(playing, 1, -5).clock.remaining).toBe(10);
    expect(advanceRoundClock(playing, 1, Number.NaN).clock.remaining).toBe(10);
  });
});
