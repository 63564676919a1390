import type { ErrorCode } from './errors.ts';
import type { User } from './user.ts';

/** Every HTTP API route is below this prefix; the rest of the origin serves the client. */
export const API_PREFIX = '/api/';
const V1 = `${API_PREFIX}v1`;

/** HTTP and socket paths, relative to the server's origin. */
export const ApiPath = {
  session: `${V1}/session`,
  rooms: `${V1}/rooms`,
  health: `${V1}/health`,
  leaderboard: `${V1}/leaderboard`,
} as const;

/** phoenix.js endpoint: it appends `/websocket`. */
export const SOCKET_PATH = '/socket';

/**
 * The operator routes (`Authorization: Bearer <ADMIN_TOKEN>`, `POST`), for one user id as it goes in
 * the path (a user id is a UUID); the server registers them with `:userId` in its place.
 */
export const AdminPath = {
  /** Closes every WebRTC peer of the user → `{closed: n}`. */
  closePeers: (userId: string) => `${V1}/admin/users/${userId}/webrtc/close`,
  /** Closes every socket of the user → `{disconnected: n}`. */
  disconnect: (userId: string) => `${V1}/admin/users/${userId}/disconnect`,
} as const;

/** `POST /api/v1/session` → 201. `GET /api/v1/session` (Bearer token) → 200 `{user}`. */
export interface SessionResponse {
  readonly token: string;
  readonly user: User;
}

/** Why the server refuses sockets from an address for now (the error codes of its HTTP 429). */
export type SocketRefusalReason = typeof ErrorCode.rateLimited | typeof ErrorCode.tooManyConnections;

/**
 * `GET /api/v1/session` (Bearer token) → 200. `socket_refused` is there when the server would refuse
 * a socket from this address right now (HTTP 429 before the upgrade, which a browser cannot read):
 * `rate_limited` (too many connects in the last minute) or `too_many_connections` (too many open).
 */
export interface SessionStatusResponse {
  readonly user: User;
  readonly socket_refused?: {
    readonly reason: SocketRefusalReason;
    readonly message: string;
    readonly retry_after_seconds: number;
  };
}

/**
 * One row of `GET /api/v1/leaderboard`: a player's totals over every finished round, ranked by
 * stars caught (then wins, then fewer rounds played).
 */
export interface LeaderboardEntry {
  readonly rank: number;
  readonly user_id: string;
  readonly nickname: string;
  /** Stars caught in all finished rounds. */
  readonly stars: number;
  /** Rounds in which the player had the top score (ties all win; a round nobody scored has no winner). */
  readonly wins: number;
  readonly rounds: number;
}

/** `GET /api/v1/leaderboard?limit=N` (1 to 100, default 20) → 200. */
export interface LeaderboardResponse {
  readonly leaderboard: readonly LeaderboardEntry[];
}
