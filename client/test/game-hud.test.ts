import { describe, expect, it } from 'vitest';
import { describeHud } from '../src/game/game-hud.ts';
import { EMPTY_MATCH, type Match, type MatchPlayer } from '../src/state/match.ts';

function player(slot: number, nickname: string, score: number): MatchPlayer {
  return { slot, id: `user-${nickname}`, nickname, color: '#ff0000', x: 100, y: 100, score };
}

const readings = { networkRtt: 23.4, transport: 'webrtc', fps: 59.6 } as const;

describe('describeHud', () => {
  it('reads the ping, the path and the frame rate, or says what is missing', () => {
    expect(describeHud(EMPTY_MATCH, readings, 'user-Ann', 0).status).toBe('ping 23 ms · webrtc · 60 fps');
    expect(describeHud(EMPTY_MATCH, { networkRtt: null, transport: null, fps: 0 }, 'user-Ann', 0).status).toBe(
      'ping – · offline · 0 fps',
    );
  });

  it('counts a round down in minutes and seconds, and ranks the scores best first', () => {
    const match: Match = {
      ...EMPTY_MATCH,
      players: [player(0, 'Ann', 2), player(1, 'Ben', 5), player(2, 'Cal', 2)],
      round: { phase: 'playing', round: 3, endsAt: 83_500, winners: [], results: [] },
    };
    const hud = describeHud(match, readings, 'user-Cal', 0);
    expect(hud.clock).toBe('Round 3 · 1:24');
    expect(hud.phase).toBe('playing');
    expect(hud.banner).toBeNull();
    expect(hud.scores.map((score) => [score.nickname, score.score, score.isYou])).toEqual([
      ['Ben', 5, false],
      ['Ann', 2, false],
      ['Cal', 2, true],
    ]);
  });

  it('names the winners during the intermission, and waits with no clock', () => {
    const intermission: Match = {
      ...EMPTY_MATCH,
      players: [player(0, 'Ann', 4), player(1, 'Ben', 4), player(2, 'Cal', 1)],
      round: { phase: 'intermission', round: 1, endsAt: 4_000, winners: [0, 1], results: [] },
    };
    const hud = describeHud(intermission, readings, 'user-Ann', 0);
    expect(hud.clock).toBe('Next round in 0:04');
    expect(hud.banner).toBe('Ann & Ben wins!');
    const nobody = describeHud({ ...intermission, round: { ...intermission.round, winners: [] } }, readings, '', 0);
    expect(nobody.banner).toBe('Nobody scored');
    expect(describeHud(EMPTY_MATCH, readings, '', 0).clock).toBe('Waiting for players');
  });
});
