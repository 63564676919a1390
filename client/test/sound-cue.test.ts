import { GameEvent, type GameEventMessage } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { cuesBetween, SoundCue } from '../src/audio/sound-cue.ts';
import { applyGameEvent, applySnapshot, EMPTY_MATCH, type Match } from '../src/state/match.ts';

const YOU = 'u1';

/** A match in round 2, with you in slot 0 and Rigel in slot 1, as a sync leaves it. */
function playing(): Match {
  const sync: GameEventMessage = {
    type: GameEvent.sync,
    tick: 100,
    round: { phase: 'playing', round: 2, remaining_ms: 60_000 },
    stars: [
      { id: 7, x: 400, y: 300 },
      { id: 8, x: 900, y: 600 },
    ],
    players: [
      { slot: 0, user_id: YOU, nickname: 'Vega', color: '#ffd93d', score: 3 },
      { slot: 1, user_id: 'u2', nickname: 'Rigel', color: '#5fd8ff', score: 1 },
    ],
  };
  return applyGameEvent(EMPTY_MATCH, sync, 0);
}

function apply(match: Match, ...events: GameEventMessage[]): Match {
  return events.reduce((current, event) => applyGameEvent(current, event, 0), match);
}

function collected(slot: number, starId: number, score: number, tick = 101): GameEventMessage[] {
  return [
    { type: GameEvent.starCollected, tick, star_id: starId, slot },
    { type: GameEvent.scoreChanged, tick, slot, score },
  ];
}

describe('sound cues', () => {
  it('rings brightly for your own catch and softly for someone else’s', () => {
    const start = playing();
    expect(cuesBetween(start, apply(start, ...collected(0, 7, 4)), YOU)).toEqual([SoundCue.starYours]);
    expect(cuesBetween(start, apply(start, ...collected(1, 8, 2)), YOU)).toEqual([SoundCue.starTheirs]);
    const both = apply(start, ...collected(0, 7, 4), ...collected(1, 8, 2));
    expect(cuesBetween(start, both, YOU)).toEqual([SoundCue.starYours, SoundCue.starTheirs]);
  });

  it('sounds a catch once, whether the score comes first in a snapshot or in the event', () => {
    const start = playing();
    const fromSnapshot = applySnapshot(start, {
      tick: 101,
      ackSeq: 0,
      serverTime: 0,
      players: [
        { slot: 0, x: 400, y: 300, vx: 0, vy: 0, score: 4 },
        { slot: 1, x: 10, y: 10, vx: 0, vy: 0, score: 1 },
      ],
    });
    expect(cuesBetween(start, fromSnapshot, YOU)).toEqual([SoundCue.starYours]);
    const thenEvents = apply(fromSnapshot, ...collected(0, 7, 4));
    expect(cuesBetween(fromSnapshot, thenEvents, YOU)).toEqual([]);
  });

  it('stays quiet for a star that only appears or a player who only moves', () => {
    const start = playing();
    const spawned = apply(start, { type: GameEvent.starSpawned, tick: 101, star: { id: 9, x: 1, y: 2 } });
    expect(cuesBetween(start, spawned, YOU)).toEqual([]);
    expect(cuesBetween(start, start, YOU)).toEqual([]);
  });

  it('announces the start of a round, and not the scores it resets', () => {
    const ended = apply(playing(), {
      type: GameEvent.roundEnded,
      tick: 200,
      round: 2,
      results: [],
      winners: [1],
      next_round_in_ms: 5000,
    });
    const started = apply(ended, { type: GameEvent.roundStarted, tick: 350, round: 3, duration_ms: 90_000 });
    expect(cuesBetween(ended, started, YOU)).toEqual([SoundCue.roundStarted]);
  });

  it('tells a round you won from one you did not', () => {
    const start = playing();
    const end = (winners: number[]): Match =>
      apply(start, { type: GameEvent.roundEnded, tick: 200, round: 2, results: [], winners, next_round_in_ms: 5000 });
    expect(cuesBetween(start, end([0]), YOU)).toEqual([SoundCue.roundWon]);
    expect(cuesBetween(start, end([0, 1]), YOU)).toEqual([SoundCue.roundWon]);
    expect(cuesBetween(start, end([1]), YOU)).toEqual([SoundCue.roundEnded]);
    expect(cuesBetween(start, end([]), YOU)).toEqual([SoundCue.roundEnded]);
  });

  it('keeps a sync silent: joining or catching up is not a moment of play', () => {
    expect(cuesBetween(EMPTY_MATCH, playing(), YOU)).toEqual([]);
    const start = playing();
    const resync = applyGameEvent(
      start,
      {
        type: GameEvent.sync,
        tick: 400,
        round: { phase: 'playing', round: 3, remaining_ms: 80_000 },
        stars: [],
        players: [{ slot: 0, user_id: YOU, nickname: 'Vega', color: '#ffd93d', score: 9 }],
      },
      0,
    );
    expect(cuesBetween(start, resync, YOU)).toEqual([]);
  });

  it('ignores a player who just joined with a score', () => {
    const start = playing();
    const joined = apply(start, {
      type: GameEvent.playerJoined,
      tick: 101,
      slot: 2,
      user_id: 'u3',
      nickname: 'Deneb',
      color: '#ff7a7a',
    });
    expect(cuesBetween(start, joined, YOU)).toEqual([]);
  });
});
