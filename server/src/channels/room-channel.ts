import { ChatEvent, ErrorCode, PresenceEvent, type PresenceMetaFields, topicSubject } from '@starcatch/shared';
import { type ChannelHandler, error, ok } from '../phoenix/index.ts';
import type { RoomRegistry } from '../rooms/room-registry.ts';
import type { Storage } from '../storage/storage.ts';
import { ChatJoinParams, channelError, chatHistory, sendChat } from './chat.ts';
import type { SocketAssigns } from './socket-assigns.ts';

export interface RoomChannelDeps {
  readonly storage: Storage;
  readonly rooms: RoomRegistry;
}

/** Presence metas in a room also say how the player's game traffic travels. */
export interface RoomPresenceMeta extends PresenceMetaFields {
  readonly transport: 'websocket' | 'webrtc';
}

/**
 * `room:<id>`: the members of one room. Joining a full, closed or unknown room is refused with
 * that reason; the reply carries the room, the player's slot and the chat history.
 */
export function createRoomChannel({ storage, rooms }: RoomChannelDeps): ChannelHandler<SocketAssigns> {
  return {
    async join(topic, params, channel) {
      const parsed = ChatJoinParams.safeParse(params);
      if (!parsed.success) return error(channelError(ErrorCode.invalidRequest, 'last_seen_id must be a message id'));
      const roomId = topicSubject(topic);
      const refused = rooms.refusal(roomId, channel.assigns.user.id);
      if (refused) return error(channelError(refused.reason, refused.message));
      // History before the slot: if storage fails, the join crashes before the player takes one.
      const history = await chatHistory(storage, topic, parsed.data?.last_seen_id);
      const admitted = rooms.admit(roomId, channel.assigns.user.id);
      if (!admitted.ok) return error(channelError(admitted.reason, admitted.message));
      return ok({ room: admitted.room, slot: admitted.slot, history });
    },

    afterJoin(channel) {
      const { user } = channel.assigns;
      const meta: RoomPresenceMeta = {
        nickname: user.nickname,
        color: user.color,
        online_at: Date.now(),
        transport: 'websocket',
      };
      channel.presence.track(user.id, meta);
      channel.push(PresenceEvent.state, channel.presence.list());
    },

    handleIn(event, payload, channel) {
      if (event === ChatEvent.send) return sendChat(storage, channel, payload);
      return error(channelError(ErrorCode.invalidRequest, `unknown event "${event}"`));
    },

    terminate(_reason, channel) {
      rooms.release(topicSubject(channel.topic), channel.assigns.user.id);
    },
  };
}
