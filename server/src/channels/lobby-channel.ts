import {
  ChatEvent,
  DEFAULT_MAX_PLAYERS,
  ErrorCode,
  LobbyEvent,
  PresenceEvent,
  type PresenceMetaFields,
  validateNewRoom,
} from '@starcatch/shared';
import type { KeyedRateLimit } from '../limits/keyed-rate-limit.ts';
import { type ChannelHandler, error, ok } from '../phoenix/index.ts';
import { RoomRegistry } from '../rooms/room-registry.ts';
import type { Storage } from '../storage/storage.ts';
import { ChatJoinParams, channelError, chatHistory, sendChat } from './chat.ts';
import type { RoomAccess } from './room-seat.ts';
import type { SocketAssigns } from './socket-assigns.ts';

/** The name of a room quick play opens when no room has a free slot. */
export const QUICK_PLAY_ROOM_NAME = 'Quick play';

export interface LobbyChannelDeps {
  readonly storage: Storage;
  readonly rooms: RoomAccess;
  readonly maxPlayersLimit: number;
  /** The per-user chat budget, shared with the rooms. */
  readonly chatLimit: KeyedRateLimit;
}

/**
 * `lobby`: every signed-in player. Presence says who is online (one key per user, one meta per
 * tab); the join reply carries the room list and the chat history; room changes are broadcast by
 * the room listener in `room-broadcasts.ts`.
 */
export function createLobbyChannel({
  storage,
  rooms,
  maxPlayersLimit,
  chatLimit,
}: LobbyChannelDeps): ChannelHandler<SocketAssigns> {
  /** Stores the room before anyone hears of it, so an acknowledged room survives a restart. */
  async function openRoom(name: string, maxPlayers: number) {
    const stored = { id: RoomRegistry.newId(), name, maxPlayers };
    try {
      await storage.saveRoom(stored);
    } catch {
      return error(channelError(ErrorCode.storageFailed, 'The room could not be saved; try again.'));
    }
    return ok({ room: await rooms.open(stored) });
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
          return openRoom(room.name, room.maxPlayers);
        }
        case LobbyEvent.quickPlay: {
          const existing = await rooms.pickForQuickPlay(channel.assigns.user.id);
          return existing ? ok({ room: existing }) : openRoom(QUICK_PLAY_ROOM_NAME, DEFAULT_MAX_PLAYERS);
        }
        default:
          return error(channelError(ErrorCode.invalidRequest, `unknown event "${event}"`));
      }
    },
  };
}
