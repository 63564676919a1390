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
  rateLimited: 'rate_limited',
  /** `webrtc:ice` with no offer on this channel yet (or after `webrtc:close`). */
  noWebRtcSession: 'no_webrtc_session',
  /** A `webrtc:offer` that is malformed or that the server's WebRTC engine refused. */
  invalidSdp: 'invalid_sdp',
  /** A `webrtc:ice` that is malformed or that the server's WebRTC engine refused. */
  invalidCandidate: 'invalid_candidate',
  /** The server could not start a WebRTC peer (see its log); the client stays on the WebSocket. */
  webrtcUnavailable: 'webrtc_unavailable',
  /** The server heard nothing from the peer (no input, no probe answer) for too long. */
  peerTimeout: 'peer_timeout',
  /** An operator closed the peer (`POST /api/v1/admin/users/:id/webrtc/close`). */
  closedByOperator: 'closed_by_operator',
  /**
   * The tab's room is simulated by another server node, so its peer must live there: offer again
   * (the offer is forwarded to that node). Sent as the reason of `webrtc:state {state: "closed"}`.
   */
  peerMoved: 'peer_moved',
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
