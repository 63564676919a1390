import { formatCharacterProblem, hasControlCharacters } from './user.ts';

/** What the lobby shows of a room. */
export type RoomState = 'waiting' | 'playing' | 'intermission';

export interface RoomSummary {
  readonly id: string;
  readonly name: string;
  readonly max_players: number;
  /** Distinct players in the room (a player with two tabs counts once). */
  readonly players: number;
  readonly state: RoomState;
}

export const ROOM_NAME_MAX_LENGTH = 32;
export const DEFAULT_MAX_PLAYERS = 8;
/** The largest room the server allows (configurable up to this). */
export const MAX_PLAYERS_LIMIT = 16;

/** Trims and checks a room name and size. */
export function validateNewRoom(
  name: unknown,
  maxPlayers: unknown,
  limit: number = MAX_PLAYERS_LIMIT,
): { ok: true; name: string; maxPlayers: number } | { ok: false; message: string } {
  if (typeof name !== 'string') return { ok: false, message: 'name must be a string' };
  const clean = name.trim();
  const length = [...clean].length;
  if (length < 1 || length > ROOM_NAME_MAX_LENGTH) {
    return { ok: false, message: `name must be 1 to ${ROOM_NAME_MAX_LENGTH} characters` };
  }
  if (hasControlCharacters(clean)) return { ok: false, message: 'name must not contain control characters' };
  const invisible = formatCharacterProblem(clean, 'name');
  if (invisible) return { ok: false, message: invisible };
  const size = maxPlayers === undefined ? DEFAULT_MAX_PLAYERS : maxPlayers;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > limit) {
    return { ok: false, message: `max_players must be a whole number from 1 to ${limit}` };
  }
  return { ok: true, name: clean, maxPlayers: size };
}
