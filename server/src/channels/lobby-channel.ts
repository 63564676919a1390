import { type ChannelContext, type ChannelHandler, error, ok, type Reply } from '@starcatch/phoenix';
import {
  ChatEvent,
  DEFAULT_MAX_PLAYERS,
  ErrorCode,
  LobbyEvent,
  PresenceEvent,
  type PresenceMetaFields,
  validateNewRoom,
} from '@starcatch/shared';
import type { RateLimits } from '../limits/rate-limits.ts';
import type { RoomLimits } from '../limits/room-limits.ts';
import { RoomRegistry } from '../rooms/room-registry.ts';
import type { Storage } from '../storage/storage.ts';
import { isStorageUnavailable } from '../storage/storage-errors.ts';
import { ChatJoinParams, channelError, chatHistory, sendChat } from './chat.ts';
import type { RoomAccess } from './room-seat.ts';
import type { SocketAssigns } from './socket-assigns.ts';

/** The name of a room quick play opens when no room has a free slot. */
export const QUICK_PLAY_ROOM_NAME = 'Quick play';

export interface LobbyChannelDeps {
  readonly storage: Storage;
  readonly rooms: RoomAccess;
  readonly maxPlayersLimit: number;
  /**
   * Per user: chat (shared with the rooms) and room creations; per address (`assigns.address`):
   * room creations, when there are per-address limits.
   */
  readonly limits: Pick<RateLimits, 'chat' | 'roomCreates' | 'addresses'>;
  /** The cap on open rooms. */
  readonly roomLimits: Pick<RoomLimits, 'maxOpenRooms'>;
  /** Rooms this process simulates now, counted against `maxOpenRooms`. */
  readonly openRoomCount: () => number | Promise<number>;
}

/** Told when `room:create` or quick play would open a room beyond `MAX_OPEN_ROOMS`. */
export const TOO_MANY_ROOMS_MESSAGE = 'The server has as many rooms open as it can hold; join one of the open rooms.';

/**
 * `lobby`: every signed-in player. Presence says who is online (one key per user, one meta per
 * tab); the join reply carries the room list and the chat history; room changes are broadcast by
 * the room listener in `room-broadcasts.ts`. Opening a room (`room:create`, or quick play when no
 * room has a free slot) is refused with `too_many_rooms` at `maxOpenRooms`, and with `rate_limited`
 * past the creator's budget or their address's; a database outage answers `storage_unavailable`.
 */
export function createLobbyChannel(deps: LobbyChannelDeps): ChannelHandler<SocketAssigns> {
  const { storage, rooms, maxPlayersLimit, roomLimits, openRoomCount } = deps;
  const { chat: chatLimit, roomCreates: userCreates, addresses } = deps.limits;
  /** Creations under way (checked, not yet open): they count against the cap too. */
  let opening = 0;

  /**
   * Why this channel's user may not open a room now; spends their budgets when they may. The
   * caller has counted this creation in `opening` already, so concurrent ones cannot all pass.
   */
  async function creationRefusal(channel: ChannelContext<SocketAssigns>): Promise<Reply | undefined> {
    // The cap first: when the server is full, nobody's budget is spent on a refusal.
    if ((await openRoomCount()) + opening > roomLimits.maxOpenRooms) {
      return error(channelError(ErrorCode.tooManyRooms, TOO_MANY_ROOMS_MESSAGE));
    }
    if (userCreates.check(channel.assigns.user.id) !== 'allowed') {
      return error(channelError(ErrorCode.rateLimited, 'You are creating rooms too fast; wait a minute.'));
    }
    const { address } = channel.assigns;
    if (address !== undefined && addresses?.roomCreate(address)) {
      return error(
        channelError(ErrorCode.rateLimited, 'Too many rooms are being created from your network; wait a minute.'),
      );
    }
    return undefined;
  }

  /** Stores the room before anyone hears of it, so an acknowledged room survives a restart. */
  async function openRoom(channel: ChannelContext<SocketAssigns>, name: string, maxPlayers: number): Promise<Reply> {
    opening++;
    try {
      const refused = await creationRefusal(channel);
      if (refused) return refused;
      const stored = { id: RoomRegistry.newId(), name, maxPlayers };
      try {
        await storage.saveRoom(stored);
      } catch (failure) {
        // An outage (the database is down or full) is told apart from a bug: the same request succeeds later.
        if (isStorageUnavailable(failure)) {
          return error(
            channelError(
              ErrorCode.storageUnavailable,
              "The server's database is unavailable, so the room was not created; try again in a moment.",
            ),
          );
        }
        return error(channelError(ErrorCode.storageFailed, 'The room could not be saved; try again.'));
      }
      return ok({ room: await rooms.open(stored) });
    } finally {
      opening--;
    }
  }

  return {
    async join(topic, params) {
      const parsed = ChatJoinParams.safeParse(params);
      if (!parsed.success) return error(channelError(ErrorCode.invalidRequest, 'last_seen_id must be a message id'));
      const history = await chatHistory(storage, topic, parsed.data?.last_seen_id);
      return ok({ rooms: await rooms.list(), history });
    },

    afterJoin(channel) {
      const { user } = channel.assigns;
      const meta: PresenceMetaFields = { nickname: user.nickname, color: user.color, online_at: Date.now() };
      channel.presence.track(user.id, meta);
      channel.push(PresenceEvent.state, channel.presence.list());
    },

    async handleIn(event, payload, channel) {
      switch (event) {
        case ChatEvent.send:
          return sendChat(storage, chatLimit, channel, payload);
        case LobbyEvent.createRoom: {
          const request = (payload ?? {}) as { name?: unknown; max_players?: unknown };
          const room = validateNewRoom(request.name, request.max_players, maxPlayersLimit);
          if (!room.ok) return error(channelError(ErrorCode.invalidRoom, room.message));
          return openRoom(channel, room.name, room.maxPlayers);
        }
        case LobbyEvent.quickPlay: {
          const existing = await rooms.pickForQuickPlay(channel.assigns.user.id);
          return existing ? ok({ room: existing }) : openRoom(channel, QUICK_PLAY_ROOM_NAME, DEFAULT_MAX_PLAYERS);
        }
        default:
          return error(channelError(ErrorCode.invalidRequest, `unknown event "${event}"`));
      }
    },
  };
}
