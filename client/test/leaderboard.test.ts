import type { RoomSummary } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { fetchLeaderboard } from '../src/net/leaderboard-api.ts';
import type { Fetch } from '../src/net/session-api.ts';
import type { LobbyState } from '../src/state/lobby-store.ts';
import { roundEnded } from '../src/ui/leaderboard-panel.ts';

const row = { rank: 1, user_id: 'u1', nickname: 'Vega', stars: 12, wins: 2, rounds: 3 };

function answering(status: number, body: unknown, asked: string[] = []): Fetch {
  return async (input) => {
    asked.push(String(input));
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
}

describe('fetchLeaderboard', () => {
  it('asks for `limit` rows and returns the well-formed ones', async () => {
    const asked: string[] = [];
    const rows = await fetchLeaderboard(
      answering(200, { leaderboard: [row, { ...row, rank: 'two' }, null, { ...row, rank: 2, user_id: 'u2' }] }, asked),
      { baseUrl: 'http://game.test', limit: 8, timeoutMs: 1000 },
    );
    expect(asked).toEqual(['http://game.test/api/v1/leaderboard?limit=8']);
    expect(rows).toEqual([row, { ...row, rank: 2, user_id: 'u2' }]);
  });

  it('rejects an error status, a body without a leaderboard, and a network failure', async () => {
    const options = { limit: 8, timeoutMs: 1000 };
    await expect(fetchLeaderboard(answering(500, { leaderboard: [row] }), options)).rejects.toMatchObject({
      status: 500,
    });
    await expect(fetchLeaderboard(answering(200, { rows: [row] }), options)).rejects.toMatchObject({
      code: 'network',
    });
    const failing: Fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(fetchLeaderboard(failing, options)).rejects.toMatchObject({ code: 'network', status: 0 });
  });
});

describe('roundEnded', () => {
  const room = (id: string, state: RoomSummary['state']): RoomSummary => ({
    id,
    name: id,
    max_players: 8,
    players: 2,
    state,
  });
  const lobby = (...rooms: RoomSummary[]): LobbyState => ({ status: 'joined', online: [], rooms });

  it('is true when a listed room goes from playing to intermission', () => {
    expect(roundEnded(lobby(room('a', 'playing')), lobby(room('a', 'intermission')))).toBe(true);
  });

  it('is false for a new room, a room starting to play, or no change to the rooms', () => {
    const before = lobby(room('a', 'waiting'));
    expect(roundEnded(before, lobby(room('a', 'playing')))).toBe(false);
    expect(roundEnded(before, lobby(room('a', 'waiting'), room('b', 'intermission')))).toBe(false);
    expect(roundEnded(before, { ...before, online: [] })).toBe(false);
  });
});
