/** Error codes in HTTP `{error: {code, message}}` bodies and channel `{reason, message}` replies. */
export const ErrorCode = {
  invalidNickname: 'invalid_nickname',
  invalidRequest: 'invalid_request',
  invalidMessage: 'invalid_message',
  invalidRoom: 'invalid_room',
  notFound: 'not_found',
  unauthorized: 'unauthorized',
  roomNotFound: 'room_not_found',
  roomFull: 'room_full',
  roomClosed: 'room_closed',
  storageFailed: 'storage_failed',
  /**
   * The server's database is unavailable for now (down, restarting, or out of disk): nothing was
   * stored. HTTP answers 503 with `Retry-After`; ask again in a moment, no restart needed.
   */
  storageUnavailable: 'storage_unavailable',
  /**
   * Too many actions too fast: chat, WebRTC signaling, sign-ins or socket connects from one address
   * (HTTP 429 with `Retry-After`), room creations by one user or address, room joins on one socket.
   * Nothing was done; wait and try again (the message says which budget ran out).
   */
  rateLimited: 'rate_limited',
  /** The server already holds its most open rooms (`MAX_OPEN_ROOMS`): join an existing room instead. */
  tooManyRooms: 'too_many_rooms',
  /**
   * This socket is already in as many rooms as it may be at once (`SOCKET_MAX_ROOMS`): a player plays
   * one room at a time, so leave the other room first.
   */
  tooManyRoomsJoined: 'too_many_rooms_joined',
  /**
   * Too many sockets are open from this address at once (`MAX_SOCKETS_PER_ADDRESS`): the upgrade is
   * refused with HTTP 429; close a tab, or retry once one has closed.
   */
  tooManyConnections: 'too_many_connections',
  /**
   * A `webrtc:state {closed}` reason: the user opened more WebRTC peers (tabs) than allowed
   * (`RTC_MAX_PEERS_PER_USER`), so the oldest was closed for the newest. That tab plays on over the
   * WebSocket and should not offer again by itself (it would push out another tab's peer).
   */
  tooManyPeers: 'too_many_peers',
  /** `webrtc:ice` with no offer on this channel yet (or after `webrtc:close`). */
  noWebRtcSession: 'no_webrtc_session',
  /** A `webrtc:offer` that is malformed or that the server's WebRTC engine refused. */
  invalidSdp: 'invalid_sdp',
  /** A `webrtc:ice` that is malformed or that the server's WebRTC engine refused. */
  invalidCandidate: 'invalid_candidate',
  /**
   * The server could not start a WebRTC peer (see its log), or already holds its most peers
   * (`RTC_MAX_PEERS`); the client stays on the WebSocket and may offer again later.
   */
  webrtcUnavailable: 'webrtc_unavailable',
  /**
   * The server heard nothing from the peer (no input, no probe answer) for too long, or the peer
   * never opened both DataChannels within `RTC_OPEN_TIMEOUT_MS` of its offer.
   */
  peerTimeout: 'peer_timeout',
  /** An operator closed the peer (`POST /api/v1/admin/users/:id/webrtc/close`). */
  closedByOperator: 'closed_by_operator',
  /**
   * The tab's room is simulated by another server node, so its peer must live there: offer again
   * (the offer is forwarded to that node). Sent as the reason of `webrtc:state {state: "closed"}`.
   */
  peerMoved: 'peer_moved',
  /**
   * The server node cannot reach the rest of its cluster (Redis is down) and the room is simulated
   * elsewhere: transient, join again in a moment.
   */
  clusterUnavailable: 'cluster_unavailable',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ApiError {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

/** The payload of a channel `error` reply. */
export interface ChannelError {
  readonly reason: ErrorCode;
  readonly message: string;
}
