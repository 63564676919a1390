import { GameEvent, type GameEventMessage, type SnapshotMessage } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { SoundCue, SoundCues } from '../src/audio/sound-cue.ts';
import { applyGameEvent, applySnapshot, EMPTY_MATCH } from '../src/state/match.ts';

const YOUR_SLOT = 0;

/** Round 2, with you in slot 0 and Rigel in slot 1, as a sync at tick 100 leaves it. */
const SYNC: GameEventMessage = {
  type: GameEvent.sync,
  tick: 100,
  round: { phase: 'playing', round: 2, remaining_ms: 60_000 },
  stars: [
    { id: 7, x: 400, y: 300 },
    { id: 8, x: 900, y: 600 },
  ],
  players: [
    { slot: 0, user_id: 'u1', nickname: 'Vega', color: '#ffd93d', score: 3 },
    { slot: 1, user_id: 'u2', nickname: 'Rigel', color: '#5fd8ff', score: 1 },
  ],
};

function collected(slot: number, starId: number, score: number, tick = 101): GameEventMessage[] {
  return [
    { type: GameEvent.starCollected, tick, star_id: starId, slot },
    { type: GameEvent.scoreChanged, tick, slot, score },
  ];
}

/** The cues of `events` in order, after a sync. */
function hear(cues: SoundCues, ...events: GameEventMessage[]): SoundCue[] {
  return events.flatMap((event) => cues.cuesFor(event, YOUR_SLOT));
}

function synced(): SoundCues {
  const cues = new SoundCues();
  expect(cues.cuesFor(SYNC, YOUR_SLOT)).toEqual([]);
  return cues;
}

describe('sound cues, from game events', () => {
  it('rings brightly for your own catch and softly for someone else’s', () => {
    const cues = synced();
    expect(hear(cues, ...collected(0, 7, 4))).toEqual([SoundCue.starYours]);
    expect(hear(cues, ...collected(1, 8, 2))).toEqual([SoundCue.starTheirs]);
  });

  it('sounds a catch once, however often its event comes', () => {
    const cues = synced();
    expect(hear(cues, ...collected(0, 7, 4), ...collected(0, 7, 4, 102))).toEqual([SoundCue.starYours]);
  });

  it('never sounds from snapshots: a late one carrying an old score replays nothing', () => {
    const cues = synced();
    let match = applyGameEvent(EMPTY_MATCH, SYNC, 0);
    expect(hear(cues, ...collected(0, 7, 4))).toEqual([SoundCue.starYours]);
    for (const event of collected(0, 7, 4)) match = applyGameEvent(match, event, 0);
    // The next round resets the scores; then a snapshot from before it arrives late, with score 4.
    const started: GameEventMessage = { type: GameEvent.roundStarted, tick: 300, round: 3, duration_ms: 90_000 };
    expect(hear(cues, started)).toEqual([SoundCue.roundStarted]);
    match = applyGameEvent(match, started, 0);
    const late: SnapshotMessage = {
      tick: 290,
      ackSeq: 0,
      serverTime: 0,
      players: [{ slot: 0, x: 400, y: 300, vx: 0, vy: 0, score: 4 }],
    };
    match = applySnapshot(match, late);
    // Whatever the match now says, no event came, so no cue: the score "rise" of the late snapshot is silent.
    expect(match.players[0]?.score).toBe(4);
    expect(hear(cues)).toEqual([]);
  });

  it('stays quiet for a star that only appears, a score alone or a player who only joins', () => {
    const cues = synced();
    expect(
      hear(
        cues,
        { type: GameEvent.starSpawned, tick: 101, star: { id: 9, x: 1, y: 2 } },
        { type: GameEvent.scoreChanged, tick: 101, slot: 1, score: 5 },
        { type: GameEvent.playerJoined, tick: 101, slot: 2, user_id: 'u3', nickname: 'Deneb', color: '#ff7a7a' },
      ),
    ).toEqual([]);
  });

  it('announces the start of a round once', () => {
    const cues = synced();
    const started: GameEventMessage = { type: GameEvent.roundStarted, tick: 350, round: 3, duration_ms: 90_000 };
    expect(hear(cues, started, started)).toEqual([SoundCue.roundStarted]);
  });

  it('tells a round you won from one you did not', () => {
    const end = (round: number, winners: number[]): GameEventMessage => ({
      type: GameEvent.roundEnded,
      tick: 200 + round,
      round,
      results: [],
      winners,
      next_round_in_ms: 5000,
    });
    const cues = synced();
    expect(hear(cues, end(2, [0]))).toEqual([SoundCue.roundWon]);
    expect(hear(cues, end(3, [0, 1]))).toEqual([SoundCue.roundWon]);
    expect(hear(cues, end(4, [1]))).toEqual([SoundCue.roundEnded]);
    expect(hear(cues, end(5, []))).toEqual([SoundCue.roundEnded]);
    expect(new SoundCues().cuesFor(SYNC, null)).toEqual([]);
  });

  it('keeps a sync silent, and what it covers: joining or catching up is not a moment of play', () => {
    expect(hear(new SoundCues(), ...collected(0, 7, 4))).toEqual([]);
    const cues = synced();
    const resync: GameEventMessage = { ...SYNC, tick: 400 };
    expect(hear(cues, resync)).toEqual([]);
    // The old path delivers an event the resync already counts: silent.
    expect(hear(cues, ...collected(1, 8, 2, 399), ...collected(1, 8, 2, 400))).toEqual([]);
    expect(hear(cues, ...collected(1, 8, 2, 401))).toEqual([SoundCue.starTheirs]);
  });
});
