import type { ChatMessage, RoomState, RoomSummary } from '@starcatch/shared';

/**
 * Checks for what the server sends on the channels. The server is ours, but a payload that is not
 * what we expect must be dropped here rather than break a store or the DOM later.
 */

const ROOM_STATES: readonly RoomState[] = ['waiting', 'playing', 'intermission'];

export function isChatMessage(value: unknown): value is ChatMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return (
    typeof m.id === 'number' &&
    typeof m.user_id === 'string' &&
    typeof m.nickname === 'string' &&
    typeof m.body === 'string' &&
    typeof m.inserted_at === 'string'
  );
}

export function isRoomSummary(value: unknown): value is RoomSummary {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    typeof r.name === 'string' &&
    typeof r.max_players === 'number' &&
    typeof r.players === 'number' &&
    ROOM_STATES.includes(r.state as RoomState)
  );
}

/** The valid chat messages of a history list (anything else in it is skipped). */
export function chatHistory(value: unknown): ChatMessage[] {
  return Array.isArray(value) ? value.filter(isChatMessage) : [];
}

/** `lobby` join reply: `{rooms, history}`. */
export interface LobbyJoinReply {
  readonly rooms: readonly RoomSummary[];
  readonly history: readonly ChatMessage[];
}

export function lobbyJoinReply(value: unknown): LobbyJoinReply {
  const { rooms, history } = (value ?? {}) as { rooms?: unknown; history?: unknown };
  return { rooms: Array.isArray(rooms) ? rooms.filter(isRoomSummary) : [], history: chatHistory(history) };
}

/** `room:<id>` join reply: `{room, slot, history}`; null when it is not one. */
export interface RoomJoinReply {
  readonly room: RoomSummary;
  readonly slot: number;
  readonly history: readonly ChatMessage[];
}

export function roomJoinReply(value: unknown): RoomJoinReply | null {
  const { room, slot, history } = (value ?? {}) as { room?: unknown; slot?: unknown; history?: unknown };
  if (!isRoomSummary(room) || typeof slot !== 'number') return null;
  return { room, slot, history: chatHistory(history) };
}

/** `{room}`, the reply of `room:create` and `room:quick_play`. */
export function roomReply(value: unknown): RoomSummary | null {
  const { room } = (value ?? {}) as { room?: unknown };
  return isRoomSummary(room) ? room : null;
}

/** `{message}`, the reply of `chat:send`. */
export function chatSendReply(value: unknown): ChatMessage | null {
  const { message } = (value ?? {}) as { message?: unknown };
  return isChatMessage(message) ? message : null;
}
