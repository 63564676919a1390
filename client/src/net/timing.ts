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
  /** How long a push (including a join) waits for its reply. */
  readonly pushTimeoutMs: number;
  /** How long `POST /api/v1/session` may take before sign-in gives up. */
  readonly signInTimeoutMs: number;
  /** How long the health probe behind token-refusal detection may take; no answer means "server down". */
  readonly healthProbeTimeoutMs: number;
  /**
   * Consecutive socket attempts that must fail while the server answers its health check before the
   * token counts as refused. One is not enough: an attempt can fail just before a restarting server
   * comes back, and the probe right after it then sees a healthy server.
   */
  readonly refusalStrikes: number;
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

export const DEFAULT_NET_TIMING: NetTiming = {
  reconnectAfterMs: (tries) => RECONNECT_BACKOFF_MS[tries - 1] ?? RECONNECT_MAX_MS,
  rejoinAfterMs: (tries) => REJOIN_BACKOFF_MS[tries - 1] ?? REJOIN_MAX_MS,
  heartbeatIntervalMs: 30_000,
  pushTimeoutMs: 10_000,
  signInTimeoutMs: 10_000,
  healthProbeTimeoutMs: 2_000,
  refusalStrikes: 2,
};
