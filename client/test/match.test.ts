import { GameEvent, type GameEventMessage } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { applyGameEvent, applySnapshot, EMPTY_MATCH, type Match } from '../src/state/match.ts';

const sync: GameEventMessage = {
  type: GameEvent.sync,
  tick: 100,
  round: { phase: 'playing', round: 2, remaining_ms: 60_000 },
  stars: [{ id: 7, x: 400, y: 300 }],
  players: [{ slot: 0, user_id: 'u1', nickname: 'Vega', color: '#ffd93d', score: 3 }],
};

function synced(): Match {
  return applyGameEvent(EMPTY_MATCH, sync, 1000);
}

describe('match events', () => {
  it('takes everything from a sync', () => {
    const match = synced();
    expect(match.players).toEqual([{ slot: 0, id: 'u1', nickname: 'Vega', color: '#ffd93d', score: 3, x: 0, y: 0 }]);
    expect(match.stars).toHaveLength(1);
    expect(match.round).toMatchObject({ phase: 'playing', round: 2, endsAt: 61_000 });
  });

  it('drops events older than the last sync, which already counts them', () => {
    const stale = applyGameEvent(synced(), { type: GameEvent.starCollected, tick: 99, star_id: 7, slot: 0 }, 0);
    expect(stale.stars).toHaveLength(1);
    const fresh = applyGameEvent(synced(), { type: GameEvent.starCollected, tick: 101, star_id: 7, slot: 0 }, 0);
    expect(fresh.stars).toHaveLength(0);
  });

  it('keeps scores, stars and the round in step', () => {
    let match = synced();
    match = applyGameEvent(match, { type: GameEvent.scoreChanged, tick: 101, slot: 0, score: 4 }, 0);
    expect(match.players[0]?.score).toBe(4);
    match = applyGameEvent(match, { type: GameEvent.starSpawned, tick: 102, star: { id: 8, x: 1, y: 2 } }, 0);
    match = applyGameEvent(match, { type: GameEvent.starSpawned, tick: 102, star: { id: 8, x: 1, y: 2 } }, 0);
    expect(match.stars.map((star) => star.id)).toEqual([7, 8]);
    match = applyGameEvent(
      match,
      {
        type: GameEvent.roundEnded,
        tick: 103,
        round: 2,
        results: [{ slot: 0, user_id: 'u1', score: 4 }],
        winners: [0],
        next_round_in_ms: 5000,
      },
      2000,
    );
    expect(match.round).toMatchObject({ phase: 'intermission', winners: [0], endsAt: 7000 });
  });

  it('takes positions from snapshots and ignores stale ones', () => {
    let match = synced();
    const player = { slot: 0, x: 50, y: 60, vx: 0, vy: 0, score: 3 };
    match = applySnapshot(match, { tick: 110, ackSeq: 0, serverTime: 0, players: [player] });
    match = applySnapshot(match, { tick: 109, ackSeq: 0, serverTime: 0, players: [{ ...player, x: 1 }] });
    expect(match.players[0]).toMatchObject({ x: 50, y: 60 });
  });
});
