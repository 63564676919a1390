/**
 * Every timeout and interval of the network layer, with its default. Tests and debugging sessions
 * can pass smaller values to `createApp`.
 */
export interface NetTiming {
  /** Delay before reconnect attempt `tries` (1-based). */
  readonly reconnectAfterMs: (tries: number) => number;
  /** Delay before a channel's rejoin attempt `tries` (1-based) once the socket is back. */
  readonly rejoinAfterMs: (tries: number) => number;
  /** phoenix.js heartbeat; the server closes sockets silent for 60 s (SOCKET_IDLE_TIMEOUT_MS). */
  readonly heartbeatIntervalMs: number;
  /**
   * phoenix.js `longPollFallbackMs`: a WebSocket that has not opened and answered a ping within
   * this long (or that fails at once) is given up for LongPoll (`/socket/longpoll`), so a browser
   * behind a proxy that blocks WebSockets still plays. Once the WebSocket has worked in a tab, later
   * failures (a server restart) retry the WebSocket instead (see `GameSocket`).
   */
  readonly longPollFallbackMs: number;
  /** How long a join or a request push (create room, quick play) waits for its reply. */
  readonly pushTimeoutMs: number;
  /**
   * How long a chat message waits for its `ok`, counted from when it leaves phoenix.js's buffer, or
   * from the send while it waits there for the socket. One that never left gets one more round
   * before it is reported failed, so a message typed while the server was down has up to twice
   * this to be delivered after the reconnect.
   */
  readonly chatSendTimeoutMs: number;
  /** How long `POST /api/v1/session` may take before sign-in gives up. */
  readonly signInTimeoutMs: number;
  /**
   * How long `GET /api/v1/session` (asked after a socket attempt failed to open) may take; no
   * answer counts as "server down", so the socket keeps retrying.
   */
  readonly sessionCheckTimeoutMs: number;
  /**
   * How long a WebRTC attempt may take from the offer to both DataChannels open before it is
   * abandoned and tried again. Measured on loopback: 130–220 ms, so the default is generous.
   */
  readonly rtcOpenTimeoutMs: number;
  /** Delay before WebRTC attempt `tries` (1-based) after a failed, closed or timed-out peer. */
  readonly rtcRetryAfterMs: (tries: number) => number;
  /**
   * An open peer that has sent nothing (no snapshot, no ping) for this long is given up on. The
   * server pings every 2.5 s (RTC_HEARTBEAT_INTERVAL_MS), so this allows three missed pings.
   */
  readonly rtcSilenceTimeoutMs: number;
  /**
   * How often a tab in a room measures each path's network round trip (a ping on `events`, a
   * Phoenix heartbeat on the WebSocket): once a second keeps the F3 figure live for ~60 bytes/s.
   */
  readonly networkPingIntervalMs: number;
}

/**
 * phoenix.js's own schedule is 10 ms … 2 s, then 5 s. Ours stops at 3 s: after a server restart a
 * player should be back in the game within a few seconds, and one socket per tab is cheap to retry.
 */
const RECONNECT_BACKOFF_MS = [10, 50, 100, 250, 500, 1000, 2000] as const;
const RECONNECT_MAX_MS = 3000;

/** The same as phoenix.js: a rejoin is only needed when a join failed on a healthy socket. */
const REJOIN_BACKOFF_MS = [1000, 2000, 5000] as const;
const REJOIN_MAX_MS = 10_000;

/**
 * The game plays on over the WebSocket meanwhile, so there is no hurry: quick first retries for a
 * blip, then a slow pace that costs the server one offer every 10 s per stuck tab.
 */
const RTC_RETRY_BACKOFF_MS = [500, 1000, 2000, 5000] as const;
const RTC_RETRY_MAX_MS = 10_000;

/**
 * Phoenix's own suggestion. A WebSocket on loopback opens and answers its first ping in a few ms,
 * and on a slow mobile link in a few hundred; 2.5 s only falls back when something is wrong.
 */
const LONG_POLL_FALLBACK_MS = 2_500;

export const DEFAULT_NET_TIMING: NetTiming = {
  reconnectAfterMs: (tries) => RECONNECT_BACKOFF_MS[tries - 1] ?? RECONNECT_MAX_MS,
  rejoinAfterMs: (tries) => REJOIN_BACKOFF_MS[tries - 1] ?? REJOIN_MAX_MS,
  heartbeatIntervalMs: 30_000,
  longPollFallbackMs: LONG_POLL_FALLBACK_MS,
  pushTimeoutMs: 10_000,
  chatSendTimeoutMs: 10_000,
  signInTimeoutMs: 10_000,
  sessionCheckTimeoutMs: 2_000,
  rtcOpenTimeoutMs: 5_000,
  rtcRetryAfterMs: (tries) => RTC_RETRY_BACKOFF_MS[tries - 1] ?? RTC_RETRY_MAX_MS,
  rtcSilenceTimeoutMs: 8_000,
  networkPingIntervalMs: 1_000,
};
