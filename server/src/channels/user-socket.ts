import { Topic, TopicPattern } from '@starcatch/shared';
import type { SessionTokens } from '../auth/session-token.ts';
import { KeyedRateLimit } from '../limits/keyed-rate-limit.ts';
import type { PresenceTracker, PubSub } from '../phoenix/index.ts';
import { type Logger, PhoenixSocket } from '../phoenix/index.ts';
import type { Storage } from '../storage/storage.ts';
import { createLobbyChannel } from './lobby-channel.ts';
import { createRoomChannel, type RoomPushLimits } from './room-channel.ts';
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
  readonly roomPushLimits: RoomPushLimits;
  /** Cluster-wide implementations; unset: this process alone. */
  readonly pubsub?: PubSub;
  readonly presence?: PresenceTracker;
}

/** The socket id of every connection of a user: `disconnect` with it closes all their tabs. */
export const userSocketId = (userId: string): string => `user_socket:${userId}`;

/**
 * The game's socket: a session token (the `token` param, or phoenix.js `authToken`) is checked
 * before the upgrade; a bad or expired one is refused with HTTP 403.
 */
export function createUserSocket(options: UserSocketOptions): PhoenixSocket<SocketAssigns> {
  const { tokens, storage, rooms, maxPlayersLimit, maxChannels, logger, openSignaling } = options;
  const chatLimit = new KeyedRateLimit(options.roomPushLimits.chat);
  return new PhoenixSocket<SocketAssigns>({
    connect({ params, authToken }) {
      const claims = tokens.verify(authToken ?? params.token);
      return claims ? { ok: true, assigns: { user: claims.user } } : { ok: false };
    },
    id: ({ user }) => userSocketId(user.id),
    channels: {
      [Topic.lobby]: createLobbyChannel({ storage, rooms, maxPlayersLimit, chatLimit }),
      [TopicPattern.room]: createRoomChannel({ storage, rooms, limits: options.roomPushLimits, chatLimit }),
      [TopicPattern.user]: createUserChannel({ openSignaling }),
    },
    maxChannels,
    logger,
    ...(options.pubsub && { pubsub: options.pubsub }),
    ...(options.presence && { presence: options.presence }),
  });
}
