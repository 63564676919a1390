import { MAX_PLAYERS_LIMIT } from '../room.ts';
import { ARENA_MAP, type ArenaMap, spawnPointFor } from './arena-map.ts';
import type { StarJson } from './events.ts';
import { INITIAL_ROUND_CLOCK, type RoundClock } from './round-clock.ts';
import type { ShipState } from './ship.ts';

/** A player's ship in the match. */
export interface PlayerState extends ShipState {
  /** 0 to MAX_PLAYERS_LIMIT - 1: the player's index in snapshots and events. */
  readonly slot: number;
  /** The user id, for round results. */
  readonly id: string;
  readonly score: number;
}

/** A star on the field; the same shape as in `star_spawned` events. */
export type Star = StarJson;

/**
 * Everything the simulation of one room knows. Plain, immutable data: `step` returns a new value,
 * so a state can be kept for rewinding, compared in tests or logged.
 */
export interface GameState {
  /** Steps taken; the number of the last one. Snapshots and events carry it. */
  readonly tick: number;
  /** Sorted by slot: the order that decides ties. */
  readonly players: readonly PlayerState[];
  readonly stars: readonly Star[];
  /** Seconds until each missing star may reappear; stars + timers = MAX_STARS while playing. */
  readonly starTimers: readonly number[];
  readonly nextStarId: number;
  /** The SeededRandom state (uint32). */
  readonly random: number;
  readonly round: RoundClock;
}

/** A fresh room: nobody in it, waiting. `seed` picks the star layout sequence. */
export function createGameState(seed: number): GameState {
  return {
    tick: 0,
    players: [],
    stars: [],
    starTimers: [],
    nextStarId: 1,
    random: seed >>> 0,
    round: INITIAL_ROUND_CLOCK,
  };
}

/**
 * Puts a player's ship at its slot's spawn point, at rest, with no score. Joining mid-round is
 * allowed; the new player simply starts from zero. Throws on a slot that is out of range or taken:
 * handing out slots is the room's job, and a clash is a bug there.
 */
export function addPlayer(state: GameState, slot: number, id: string, map: ArenaMap = ARENA_MAP): GameState {
  if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_PLAYERS_LIMIT) {
    throw new RangeError(`slot must be a whole number from 0 to ${MAX_PLAYERS_LIMIT - 1}, got ${slot}`);
  }
  if (state.players.some((player) => player.slot === slot)) throw new RangeError(`slot ${slot} is already taken`);
  const spawn = spawnPointFor(map, slot);
  const player: PlayerState = { slot, id, x: spawn.x, y: spawn.y, vx: 0, vy: 0, score: 0 };
  const players = [...state.players, player].sort((a, b) => a.slot - b.slot);
  return { ...state, players };
}

/** Takes a player's ship out of the match; an unknown slot leaves the state as it is. */
export function removePlayer(state: GameState, slot: number): GameState {
  if (!state.players.some((player) => player.slot === slot)) return state;
  return { ...state, players: state.players.filter((player) => player.slot !== slot) };
}

/** The player in a slot, if any. */
export function playerInSlot(state: GameState, slot: number): PlayerState | undefined {
  return state.players.find((player) => player.slot === slot);
}
