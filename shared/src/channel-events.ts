import type { ErrorCode } from './errors.ts';

/** Event names on the channels: part of the public interface, defined once. */
export const PresenceEvent = {
  state: 'presence_state',
  diff: 'presence_diff',
} as const;

/** Chat, on `lobby` and `room:<id>`. */
export const ChatEvent = {
  /** Client push `{body}` → reply `ok` `{message}` once stored, or `error` `{reason, message}`. */
  send: 'chat:send',
  /** Broadcast: a stored `ChatMessage`. */
  message: 'chat:message',
} as const;

/** Room list, on `lobby`. */
export const LobbyEvent = {
  /** Client push `{name, max_players}` → reply `ok` `{room}`. */
  createRoom: 'room:create',
  /** Client push `{}` → reply `ok` `{room}`: the fullest open room with a free slot, or a new one. */
  quickPlay: 'room:quick_play',
  roomCreated: 'room_created',
  roomUpdated: 'room_updated',
  roomClosed: 'room_closed',
} as const;

/**
 * Game traffic on `room:<id>`, the WebSocket fallback for the two DataChannels. The server uses
 * it for a player whenever that player's socket has no WebRTC peer with both channels open.
 *
 * `input` and `snapshot` carry the `state` codec's bytes: as a V2 binary push, or, on a V1 (JSON
 * only) socket, as `{data: base64}` (`Base64StatePayload`). The room join reply says which one
 * the server uses for this socket in `state_encoding` (`StateEncoding`).
 */
export const GameChannelEvent = {
  /** Client push: one INPUT message. Never replied to (30 per second); a bad one is dropped and counted. */
  input: 'input',
  /** Server push: one SNAPSHOT message with this player's ack. */
  snapshot: 'snapshot',
  /** Server push: one game event (`GameEventMessage` JSON), as on the `events` DataChannel. */
  event: 'game:event',
  /**
   * Server push `GameNoticePayload`: some of this player's game traffic was dropped (over a rate
   * limit); at most one per notice interval, however much was dropped.
   */
  notice: 'game:notice',
} as const;

/**
 * Which path a player's game traffic takes now. Room presence metas carry it as `transport`, so
 * everyone's HUD and member list can show it.
 */
export const PlayerTransport = {
  websocket: 'websocket',
  webrtc: 'webrtc',
} as const;
export type PlayerTransport = (typeof PlayerTransport)[keyof typeof PlayerTransport];

/** How `input` and `snapshot` payloads travel on this socket: see `GameChannelEvent`. */
export const StateEncoding = {
  binary: 'binary',
  base64: 'base64',
} as const;
export type StateEncoding = (typeof StateEncoding)[keyof typeof StateEncoding];

/** `input` / `snapshot` on a V1 socket: the codec's bytes, base64 (standard alphabet, padded). */
export interface Base64StatePayload {
  readonly data: string;
}

/** `game:notice`: why traffic was dropped, and how many messages since the previous notice. */
export interface GameNoticePayload {
  readonly reason: typeof ErrorCode.rateLimited;
  readonly message: string;
  /** Which path the dropped messages came on. */
  readonly transport: PlayerTransport;
  readonly dropped: number;
}
