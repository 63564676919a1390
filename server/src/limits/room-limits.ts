import type { RateLimitOptions } from './keyed-rate-limit.ts';

/**
 * How many rooms may be created and joined. Room creations per address are in `AddressLimits`.
 * Every count is this process's own: in a cluster each node keeps its own.
 */
export interface RoomLimits {
  /** Rooms one user may create per minute (also at once): `room:create`, and quick play when it opens one. */
  readonly createsPerUserPerMinute: number;
  /** `room:<id>` joins one socket may attempt per minute (also at once), refused ones included. */
  readonly joinsPerSocketPerMinute: number;
  /** Rooms one socket may be in at once. */
  readonly maxRoomsPerSocket: number;
  /** Rooms this process simulates at once; creating one more is refused with `too_many_rooms`. */
  readonly maxOpenRooms: number;
}

/**
 * A player plays one room at a time, but `SOCKET_MAX_ROOMS` is 2, not 1: switching rooms is a leave
 * then a join, and the leave is handled in the old channel's mailbox (after anything it is still
 * doing, such as saving a chat message) while the join runs in the new channel's, so for a moment
 * a switching tab can hold both. With 1 that switch would be refused now and then; 2 allows it,
 * and costs at most a second simulation per socket, not the 99 of one socket the cap replaces.
 *
 * 200 open rooms: each is stored, listed to every lobby and reopened after a restart, and each
 * with players runs a 30 Hz simulation; an empty room closes after `EMPTY_ROOM_TIMEOUT_MS`.
 */
export const DEFAULT_ROOM_LIMITS: RoomLimits = {
  createsPerUserPerMinute: 5,
  joinsPerSocketPerMinute: 20,
  maxRoomsPerSocket: 2,
  maxOpenRooms: 200,
};

/** Per-user budgets for client pushes on `room:<id>`, each its own. */
export interface RoomPushLimits {
  /** `input` pushes (the WebSocket fallback's 30 per second). */
  readonly input: RateLimitOptions;
  /** `chat:send`: on the lobby and every room together. */
  readonly chat: RateLimitOptions;
}
