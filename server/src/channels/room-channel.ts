import { ChatEvent, ErrorCode, GameChannelEvent, PresenceEvent, StateEncoding, topicSubject } from '@starcatch/shared';
import type { RoomSimulations } from '../game/room-simulations.ts';
import { KeyedRateLimit, type RateLimitOptions } from '../limits/keyed-rate-limit.ts';
import type { Clock } from '../limits/token-bucket.ts';
import { type ChannelContext, type ChannelHandler, error, ok } from '../phoenix/index.ts';
import type { RoomRegistry } from '../rooms/room-registry.ts';
import type { Storage } from '../storage/storage.ts';
import type { GameLink } from '../transport/game-link.ts';
import type { PlayerLinks } from '../transport/player-links.ts';
import { ChatJoinParams, channelError, chatHistory, sendChat } from './chat.ts';
import type { SocketAssigns } from './socket-assigns.ts';

export type { RoomPresenceMeta } from '../transport/game-link.ts';

/** Per-user budgets for client pushes on `room:<id>`, each its own. */
export interface RoomPushLimits {
  /** `input` pushes (the WebSocket fallback's 30 per second). */
  readonly input: RateLimitOptions;
  /** `chat:send`. */
  readonly chat: RateLimitOptions;
}

export interface RoomChannelDeps {
  readonly storage: Storage;
  readonly rooms: RoomRegistry;
  readonly games: RoomSimulations;
  readonly links: PlayerLinks;
  readonly limits: RoomPushLimits;
  /** The per-user chat budget, shared with the lobby. */
  readonly chatLimit: KeyedRateLimit;
  readonly now?: Clock;
}

/**
 * `room:<id>`: the members of one room. Joining a full, closed or unknown room is refused with
 * that reason; the reply carries the room, the player's slot, the chat history and how this
 * socket carries `input` / `snapshot` (`state_encoding`: binary on V2, base64 JSON on V1).
 * Each joined tab is a link into the room's simulation, and the WebSocket fallback for its
 * game traffic.
 */
export function createRoomChannel(deps: RoomChannelDeps): ChannelHandler<SocketAssigns> {
  const { storage, rooms, games, links } = deps;
  const inputLimit = new KeyedRateLimit(deps.limits.input, deps.now);
  const slots = new WeakMap<ChannelContext<SocketAssigns>, number>();
  const linkOf = new WeakMap<ChannelContext<SocketAssigns>, GameLink>();

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
      slots.set(channel, admitted.slot);
      return ok({
        room: admitted.room,
        slot: admitted.slot,
        history,
        state_encoding: channel.supportsBinary ? StateEncoding.binary : StateEncoding.base64,
      });
    },

    afterJoin(channel) {
      const { user } = channel.assigns;
      const link = links.open(channel);
      linkOf.set(channel, link);
      channel.presence.track(user.id, link.presenceMeta);
      channel.push(PresenceEvent.state, channel.presence.list());
      const slot = slots.get(channel) ?? 0;
      games.join(
        topicSubject(channel.topic),
        { userId: user.id, nickname: user.nickname, color: user.color, slot },
        link,
      );
    },

    handleIn(event, payload, channel) {
      const userId = channel.assigns.user.id;
      if (event === GameChannelEvent.input) {
        // Never replied to, not even with an error: a reply per input would double the traffic.
        const link = linkOf.get(channel);
        if (!link) return undefined;
        if (inputLimit.check(userId) === 'allowed') links.receiveWebSocketInput(link, payload);
        else links.webSocketInputDropped(link);
        return undefined;
      }
      if (event === ChatEvent.send) return sendChat(storage, deps.chatLimit, channel, payload);
      return error(channelError(ErrorCode.invalidRequest, `unknown event "${event}"`));
    },

    terminate(_reason, channel) {
      const link = linkOf.get(channel);
      if (link) {
        links.close(link);
        games.leave(link.id);
      }
      rooms.release(topicSubject(channel.topic), channel.assigns.user.id);
    },
  };
}
