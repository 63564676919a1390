import type { User } from './user.ts';

/** HTTP and socket paths, relative to the server's origin. */
export const ApiPath = {
  session: '/api/v1/session',
  rooms: '/api/v1/rooms',
  health: '/api/v1/health',
  leaderboard: '/api/v1/leaderboard',
} as const;

/** phoenix.js endpoint: it appends `/websocket`. */
export const SOCKET_PATH = '/socket';

/** `POST /api/v1/session` → 201. `GET /api/v1/session` (Bearer token) → 200 `{user}`. */
export interface SessionResponse {
  readonly token: string;
  readonly user: User;
}
