import type { RoomState } from '../room.ts';
import { MAX_PLAYERS_LIMIT } from '../room.ts';
import { NICKNAME_MAX_LENGTH } from '../user.ts';
import { ARENA_HEIGHT, ARENA_WIDTH, MAX_STARS } from './constants.ts';
import { MAX_TICK_HZ } from './game-rates.ts';

/**
 * Game events on the reliable `events` DataChannel (or in `game:event` pushes on the WebSocket
 * fallback): everything that must not be lost. JSON objects with a `type` from `GameEvent` and the
 * server `tick` at which it happened, so the client can apply it when its interpolated view of the
 * snapshots reaches that tick. Field names are snake_case like the rest of the protocol.
 */
export const GameEvent = {
  starSpawned: 'star_spawned',
  starCollected: 'star_collected',
  scoreChanged: 'score_changed',
  roundStarted: 'round_started',
  roundEnded: 'round_ended',
  playerJoined: 'player_joined',
  playerLeft: 'player_left',
  /** Everything a client needs to catch up, sent to one client when it joins the match. */
  sync: 'sync',
} as const;
export type GameEventType = (typeof GameEvent)[keyof typeof GameEvent];

export interface StarJson {
  /** Unique within a room for its lifetime. */
  readonly id: number;
  readonly x: number;
  readonly y: number;
}

export interface RoundResult {
  readonly slot: number;
  readonly user_id: string;
  readonly score: number;
}

export interface StarSpawnedEvent {
  readonly type: typeof GameEvent.starSpawned;
  readonly tick: number;
  readonly star: StarJson;
}

export interface StarCollectedEvent {
  readonly type: typeof GameEvent.starCollected;
  readonly tick: number;
  readonly star_id: number;
  /** The slot of the ship that took it. */
  readonly slot: number;
}

export interface ScoreChangedEvent {
  readonly type: typeof GameEvent.scoreChanged;
  readonly tick: number;
  readonly slot: number;
  readonly score: number;
}

/** A round began: every score is 0 and the field is empty until the stars' `star_spawned` events. */
export interface RoundStartedEvent {
  readonly type: typeof GameEvent.roundStarted;
  readonly tick: number;
  readonly round: number;
  /** The round ends `duration_ms` after `tick` (at TICK_RATE ticks per second). */
  readonly duration_ms: number;
}

export interface RoundEndedEvent {
  readonly type: typeof GameEvent.roundEnded;
  readonly tick: number;
  readonly round: number;
  /** Every player of the final moment, best score first, then by slot. */
  readonly results: readonly RoundResult[];
  /** Slots sharing the top score; empty when nobody scored. */
  readonly winners: readonly number[];
  readonly next_round_in_ms: number;
}

export interface PlayerJoinedEvent {
  readonly type: typeof GameEvent.playerJoined;
  readonly tick: number;
  readonly slot: number;
  readonly user_id: string;
  readonly nickname: string;
  readonly color: string;
}

export interface PlayerLeftEvent {
  readonly type: typeof GameEvent.playerLeft;
  readonly tick: number;
  readonly slot: number;
  readonly user_id: string;
}

export interface SyncPlayer {
  readonly slot: number;
  readonly user_id: string;
  readonly nickname: string;
  readonly color: string;
  readonly score: number;
}

export interface SyncEvent {
  readonly type: typeof GameEvent.sync;
  readonly tick: number;
  readonly round: { readonly phase: RoomState; readonly round: number; readonly remaining_ms: number };
  readonly stars: readonly StarJson[];
  readonly players: readonly SyncPlayer[];
  /**
   * The room's simulation steps per second (`GAME_TICK_HZ`): prediction must step at the same rate.
   * Absent from servers older than it: TICK_RATE (30) then.
   */
  readonly tick_hz?: number;
  /** Snapshots per second (`SNAPSHOT_HZ`); absent: SNAPSHOT_RATE (20). */
  readonly snapshot_hz?: number;
}

export type GameEventMessage =
  | StarSpawnedEvent
  | StarCollectedEvent
  | ScoreChangedEvent
  | RoundStartedEvent
  | RoundEndedEvent
  | PlayerJoinedEvent
  | PlayerLeftEvent
  | SyncEvent;

export type GameEventParse =
  | { readonly ok: true; readonly event: GameEventMessage }
  | { readonly ok: false; readonly message: string };

// --- validation of inbound JSON -------------------------------------------------------------------

const UINT32_MAX = 0xffffffff;
const USER_ID_MAX_LENGTH = 64;
const COLOR = /^#[0-9a-f]{6}$/i;
const PHASES: readonly unknown[] = ['waiting', 'playing', 'intermission'] satisfies RoomState[];

type Fields = Record<string, unknown>;
/** Returns what is wrong with the value, or null when it is fine. */
type Check = (value: unknown) => string | null;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const uint =
  (max = UINT32_MAX): Check =>
  (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max
      ? null
      : `must be a whole number from 0 to ${max}`;

const coordinate =
  (max: number): Check =>
  (value) =>
    typeof value === 'number' && value >= 0 && value <= max ? null : `must be a number from 0 to ${max}`;

const text =
  (maxLength: number): Check =>
  (value) =>
    typeof value === 'string' && value.length > 0 && [...value].length <= maxLength
      ? null
      : `must be a string of 1 to ${maxLength} characters`;

const slot = uint(MAX_PLAYERS_LIMIT - 1);
const color: Check = (value) => (typeof value === 'string' && COLOR.test(value) ? null : 'must be a #rrggbb colour');
const phase: Check = (value) => (PHASES.includes(value) ? null : `must be one of ${PHASES.join(', ')}`);

/** A field that may be left out; when present it must pass `check`. */
const optional =
  (check: Check): Check =>
  (value) =>
    value === undefined ? null : check(value);

function shape(fields: Readonly<Record<string, Check>>): Check {
  return (value) => {
    if (!isFields(value)) return 'must be an object';
    for (const [name, check] of Object.entries(fields)) {
      const problem = check(value[name]);
      if (problem) return `${name} ${problem}`;
    }
    return null;
  };
}

function list(item: Check, maxLength: number): Check {
  return (value) => {
    if (!Array.isArray(value)) return 'must be an array';
    if (value.length > maxLength) return `must have at most ${maxLength} items`;
    for (let i = 0; i < value.length; i++) {
      const problem = item(value[i]);
      if (problem) return `[${i}].${problem}`;
    }
    return null;
  };
}

const star = shape({ id: uint(), x: coordinate(ARENA_WIDTH), y: coordinate(ARENA_HEIGHT) });
const userId = text(USER_ID_MAX_LENGTH);

const EVENT_SHAPES: Readonly<Record<GameEventType, Check>> = {
  star_spawned: shape({ tick: uint(), star }),
  star_collected: shape({ tick: uint(), star_id: uint(), slot }),
  score_changed: shape({ tick: uint(), slot, score: uint() }),
  round_started: shape({ tick: uint(), round: uint(), duration_ms: uint() }),
  round_ended: shape({
    tick: uint(),
    round: uint(),
    results: list(shape({ slot, user_id: userId, score: uint() }), MAX_PLAYERS_LIMIT),
    winners: list(slot, MAX_PLAYERS_LIMIT),
    next_round_in_ms: uint(),
  }),
  player_joined: shape({ tick: uint(), slot, user_id: userId, nickname: text(NICKNAME_MAX_LENGTH), color }),
  player_left: shape({ tick: uint(), slot, user_id: userId }),
  sync: shape({
    tick: uint(),
    round: shape({ phase, round: uint(), remaining_ms: uint() }),
    stars: list(star, MAX_STARS),
    players: list(
      shape({ slot, user_id: userId, nickname: text(NICKNAME_MAX_LENGTH), color, score: uint() }),
      MAX_PLAYERS_LIMIT,
    ),
    tick_hz: optional(uint(MAX_TICK_HZ)),
    snapshot_hz: optional(uint(MAX_TICK_HZ)),
  }),
};

function isEventType(value: unknown): value is GameEventType {
  return typeof value === 'string' && Object.hasOwn(EVENT_SHAPES, value);
}

/**
 * Checks an inbound `events` message (already `JSON.parse`d) against its event's shape. Unknown
 * extra fields are let through, so a newer server can add fields without breaking older clients.
 */
export function parseGameEvent(raw: unknown): GameEventParse {
  if (!isFields(raw)) return { ok: false, message: 'game event must be an object' };
  if (!isEventType(raw.type)) return { ok: false, message: `unknown game event type ${JSON.stringify(raw.type)}` };
  const problem = EVENT_SHAPES[raw.type](raw);
  if (problem) return { ok: false, message: `${raw.type}: ${problem}` };
  return { ok: true, event: raw as unknown as GameEventMessage };
}
