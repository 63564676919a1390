/**
 * Every reason string and close code the protocol layer can produce, in one place.
 * Clients match on these strings, so they are part of the public wire contract.
 */

/** Reasons carried as `{"reason": …}` in error replies and `phx_error` payloads. */
export const Reason = {
  /** Join or push to a topic no route matches, or a push to a topic this socket has not joined. */
  unmatchedTopic: 'unmatched topic',
  /** The channel's `join` threw. */
  joinCrashed: 'join crashed',
  /** The socket already holds the maximum number of joined channels. */
  tooManyChannels: 'too many channels joined',
  /** A handler threw after the join; sent in `phx_error`. */
  channelCrash: 'channel_crash',
  /** A push carried an event the channel does not handle. */
  unknownEvent: 'unknown event',
  /** The handler's reply cannot be encoded for this client (bytes for a V1 socket, a field over 255 bytes). */
  replyNotEncodable: 'reply not encodable for this client',
  /**
   * The push was not queued: this socket, or this channel, already holds its most messages waiting
   * to be handled (`maxQueuedMessages`). Nothing was done; send again once earlier replies arrive.
   */
  queueFull: 'message queue full',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** WebSocket close codes sent by the server. None is 1000: phoenix.js ≤1.8.12 never reconnects after 1000. */
export const CloseCode = {
  /** Kicked by socket id (`disconnect`): the client reconnects and must authenticate again. */
  kicked: 1001,
  /** No inbound frame within the idle timeout (the code Bandit uses for Phoenix). */
  idleTimeout: 1002,
  /** A frame that is not a Phoenix message (bad JSON, wrong shape, bad binary layout). */
  malformedFrame: 1007,
  /** A frame larger than the configured maximum (sent by the WebSocket layer itself). */
  frameTooLarge: 1009,
  /** The server hit an unexpected error while handling this socket. */
  internalError: 1011,
  /** The server is shutting down or restarting; clients reconnect with backoff. */
  serverRestart: 1012,
  /**
   * The client did not read what the server sent it: more than `maxSendBacklogBytes` waited unsent.
   * 1013 ("try again later", RFC 6455 §7.4.1 / IANA) rather than a private 4xxx code: it is the
   * registered code for "a temporary condition, reconnect later", which is what the client should
   * do, and generic WebSocket clients already treat it as retryable. Not 1008 (policy violation):
   * a slow link is no violation. Not 1009: that one is about a frame the client sent.
   */
  sendBacklog: 1013,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
