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
