import { describe, expect, it } from 'vitest';
import { GameEvent, type GameEventMessage, parseGameEvent } from '../../src/game/events.ts';

const valid: GameEventMessage[] = [
  { type: GameEvent.starSpawned, tick: 10, star: { id: 1, x: 400, y: 880 } },
  { type: GameEvent.starCollected, tick: 11, star_id: 1, slot: 15 },
  { type: GameEvent.scoreChanged, tick: 11, slot: 0, score: 12 },
  { type: GameEvent.roundStarted, tick: 1, round: 1, duration_ms: 90_000 },
  {
    type: GameEvent.roundEnded,
    tick: 2701,
    round: 1,
    results: [
      { slot: 2, user_id: 'u2', score: 4 },
      { slot: 0, user_id: 'u0', score: 1 },
    ],
    winners: [2],
    next_round_in_ms: 5000,
  },
  { type: GameEvent.playerJoined, tick: 40, slot: 3, user_id: 'u3', nickname: 'Vega', color: '#4d96ff' },
  { type: GameEvent.playerLeft, tick: 41, slot: 3, user_id: 'u3' },
  {
    type: GameEvent.sync,
    tick: 500,
    round: { phase: 'playing', round: 2, remaining_ms: 31_000 },
    stars: [{ id: 9, x: 100.5, y: 200 }],
    players: [{ slot: 0, user_id: 'u0', nickname: 'Altair', color: '#FF6B6B', score: 2 }],
  },
];

describe('parseGameEvent', () => {
  it('accepts every event type as it comes out of JSON', () => {
    expect(new Set(valid.map((event) => event.type))).toEqual(new Set(Object.values(GameEvent)));
    for (const event of valid) {
      expect(parseGameEvent(JSON.parse(JSON.stringify(event)))).toEqual({ ok: true, event });
    }
  });

  it('lets unknown extra fields through, for newer servers', () => {
    const event = { type: GameEvent.scoreChanged, tick: 1, slot: 0, score: 1, bonus: true };
    expect(parseGameEvent(event)).toEqual({ ok: true, event });
  });

  it('rejects what is not an event', () => {
    for (const raw of [null, 'star_spawned', 42, [], [{ type: 'sync' }]]) {
      expect(parseGameEvent(raw)).toEqual({ ok: false, message: 'game event must be an object' });
    }
    expect(parseGameEvent({ type: 'star_exploded', tick: 1 })).toEqual({
      ok: false,
      message: 'unknown game event type "star_exploded"',
    });
    expect(parseGameEvent({ type: 'toString', tick: 1 }).ok).toBe(false);
    expect(parseGameEvent({ tick: 1 }).ok).toBe(false);
  });

  it('names the field that is wrong', () => {
    const cases: Array<[unknown, string]> = [
      [{ type: 'score_changed', slot: 0, score: 1 }, 'score_changed: tick must be a whole number from 0 to 4294967295'],
      [
        { type: 'score_changed', tick: 1, slot: 16, score: 1 },
        'score_changed: slot must be a whole number from 0 to 15',
      ],
      [
        { type: 'score_changed', tick: 1, slot: 1.5, score: 1 },
        'score_changed: slot must be a whole number from 0 to 15',
      ],
      [
        { type: 'score_changed', tick: 1, slot: 0, score: -1 },
        'score_changed: score must be a whole number from 0 to 4294967295',
      ],
      [
        { type: 'star_spawned', tick: 1, star: { id: 1, x: 1601, y: 0 } },
        'star_spawned: star x must be a number from 0 to 1600',
      ],
      [{ type: 'star_spawned', tick: 1, star: null }, 'star_spawned: star must be an object'],
      [
        { type: 'player_joined', tick: 1, slot: 0, user_id: 'u', nickname: 'Vega', color: 'blue' },
        'player_joined: color must be a #rrggbb colour',
      ],
      [
        { type: 'player_joined', tick: 1, slot: 0, user_id: '', nickname: 'Vega', color: '#000000' },
        'player_joined: user_id must be a string of 1 to 64 characters',
      ],
      [
        { type: 'player_joined', tick: 1, slot: 0, user_id: 'u', nickname: 'x'.repeat(17), color: '#000000' },
        'player_joined: nickname must be a string of 1 to 16 characters',
      ],
      [
        {
          type: 'round_ended',
          tick: 1,
          round: 1,
          results: [{ slot: 0, user_id: 'u', score: 'lots' }],
          winners: [],
          next_round_in_ms: 0,
        },
        'round_ended: results [0].score must be a whole number from 0 to 4294967295',
      ],
      [
        { type: 'round_ended', tick: 1, round: 1, results: [], winners: Array(17).fill(0), next_round_in_ms: 0 },
        'round_ended: winners must have at most 16 items',
      ],
      [
        {
          type: 'sync',
          tick: 1,
          round: { phase: 'paused', round: 1, remaining_ms: 0 },
          stars: [],
          players: [],
        },
        'sync: round phase must be one of waiting, playing, intermission',
      ],
      [
        {
          type: 'sync',
          tick: 1,
          round: { phase: 'waiting', round: 0, remaining_ms: 0 },
          stars: Array.from({ length: 6 }, (_, id) => ({ id, x: 1, y: 1 })),
          players: [],
        },
        'sync: stars must have at most 5 items',
      ],
    ];
    for (const [raw, message] of cases) expect(parseGameEvent(raw)).toEqual({ ok: false, message });
  });
});
