import type { PresenceTracker, PubSub } from '@starcatch/phoenix';
import { type Logger, PhoenixSocket } from '@starcatch/phoenix';
import { Topic, TopicPattern } from '@starcatch/shared';
import type { SessionTokens } from '../auth/session-token.ts';
import type { RateLimits } from '../limits/rate-limits.ts';
import { DEFAULT_ROOM_LIMITS, type RoomLimits } from '../limits/room-limits.ts';
import type { Storage } from '../storage/storage.ts';
import { createLobbyChannel } from './lobby-channel.ts';
import { createRoomChannel } from './room-channel.ts';
import type { RoomAccess } from './room-seat.ts';
import type { SocketAssigns } from './socket-assigns.ts';
import { createUserChannel, type OpenSignaling } from './user-channel.ts';

export interface UserSocketOptions {
  readonly tokens: SessionTokens;
  readonly storage: Storage;
  readonly rooms: RoomAccess;
  readonly maxPlayersLimit: number;
  readonly maxChannels: number;
  readonly logger: Logger;
  readonly openSignaling: OpenSignaling;
  /** The process's rate limits (`createRateLimits`); without `addresses`, no per-address limits. */
  readonly limits: RateLimits;
  /** Rooms per socket and open rooms; default `DEFAULT_ROOM_LIMITS`. */
  readonly roomLimits?: Pick<RoomLimits, 'maxRoomsPerSocket' | 'maxOpenRooms'>;
  /** Rooms this process simulates now (against `roomLimits.maxOpenRooms`); default: all of `rooms.list()`. */
  readonly openRoomCount?: () => number | Promise<number>;
  /** Cluster-wide implementations; unset: this process alone. */
  readonly pubsub?: PubSub;
  readonly presence?: PresenceTracker;
}

/** The socket id of every connection of a user: `disconnect` with it closes all their tabs. */
export const userSocketId = (userId: string): string => `user_socket:${userId}`;

/**
 * The game's socket: a session token (the `token` param, or phoenix.js `authToken`) is checked
 * before the upgrade; a bad or expired one is refused with HTTP 403. An address over its budget of
 * connects (`SOCKET_CONNECTS_PER_ADDRESS_PER_MINUTE`) is refused first, with HTTP 429, whatever
 * its token.
 */
export function createUserSocket(options: UserSocketOptions): PhoenixSocket<SocketAssigns> {
  const { tokens, storage, rooms, maxPlayersLimit, maxChannels, logger, openSignaling, limits } = options;
  const { addresses } = limits;
  const roomLimits = options.roomLimits ?? DEFAULT_ROOM_LIMITS;
  const openRoomCount = options.openRoomCount ?? (async () => (await rooms.list()).length);
  return new PhoenixSocket<SocketAssigns>({
    connect({ params, authToken, remoteAddress }) {
      if (addresses?.socketConnect(remoteAddress)) {
        logger.debug({ address: remoteAddress }, 'socket refused: too many connects from this address');
        return { ok: false, status: 429 };
      }
      const claims = tokens.verify(authToken ?? params.token);
      return claims ? { ok: true, assigns: { user: claims.user, address: remoteAddress } } : { ok: false };
    },
    id: ({ user }) => userSocketId(user.id),
    channels: {
      [Topic.lobby]: createLobbyChannel({
        storage,
        rooms,
        maxPlayersLimit,
        limits,
        roomLimits,
        openRoomCount,
      }),
      [TopicPattern.room]: createRoomChannel({
        storage,
        rooms,
        limits,
        roomLimits,
      }),
      [TopicPattern.user]: createUserChannel({ openSignaling }),
    },
    maxChannels,
    logger,
    ...(options.pubsub && { pubsub: options.pubsub }),
    ...(options.presence && { presence: options.presence }),
  });
}
