/** Protocol vocabulary of Phoenix Channels: the reserved topic, events and reply statuses. */

/** Topic handled by the socket itself (heartbeats), never routed to a channel. */
export const SOCKET_TOPIC = 'phoenix';

export const Event = {
  join: 'phx_join',
  leave: 'phx_leave',
  reply: 'phx_reply',
  close: 'phx_close',
  error: 'phx_error',
  heartbeat: 'heartbeat',
  presenceState: 'presence_state',
  presenceDiff: 'presence_diff',
  /** Server-side only: asks every node to close the connections with a socket id. */
  disconnect: 'disconnect',
} as const;

/**
 * A server-side PubSub topic every `PhoenixSocket` listens on, so `disconnect(id)` reaches the
 * connections of every node. No client can join it: it is not a channel topic.
 */
export const SOCKET_CONTROL_TOPIC = 'phx_socket_control';

/** Subprotocol a client must offer (and the server must select) when it sends `authToken`. */
export const PHOENIX_SUBPROTOCOL = 'phoenix';
/** Prefix of the subprotocol entry that carries the token: base64 (standard alphabet) without padding. */
export const AUTH_TOKEN_PREFIX = 'base64url.bearer.phx.';

/** A socket's mount path when none is given (phoenix.js is given it as its endpoint). */
export const DEFAULT_SOCKET_PATH = '/socket';

/** Where each transport lives below a socket's mount path: phoenix.js appends these to its endpoint. */
export const TransportPath = {
  websocket: '/websocket',
  longpoll: '/longpoll',
} as const;
