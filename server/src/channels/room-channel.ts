import { type ChannelContext, type ChannelHandler, error, ok } from '@starcatch/phoenix';
import {
  ChatEvent,
  type ChatMessage,
  ErrorCode,
  GameChannelEvent,
  PresenceEvent,
  StateEncoding,
  topicSubject,
} from '@starcatch/shared';
import type { RateLimits } from '../limits/rate-limits.ts';
import type { RoomLimits } from '../limits/room-limits.ts';
import type { Storage } from '../storage/storage.ts';
import { ChatJoinParams, channelError, chatHistory, sendChat } from './chat.ts';
import type { RoomAccess, RoomSeat, SeatResult } from './room-seat.ts';
import type { SocketAssigns } from './socket-assigns.ts';

export type { RoomPresenceMeta } from '../transport/game-link.ts';

export interface RoomChannelDeps {
  readonly storage: Storage;
  readonly rooms: RoomAccess;
  /** Per user: `input` pushes, and chat (shared with the lobby); per socket: joins. */
  readonly limits: Pick<RateLimits, 'input' | 'chat' | 'roomJoins'>;
  /** Rooms per socket at once. */
  readonly roomLimits: Pick<RoomLimits, 'maxRoomsPerSocket'>;
}

/**
 * `room:<id>`: the members of one room. Joining a full, closed or unknown room is refused with
 * that reason; the reply carries the room, the player's slot, the chat history and how this
 * socket carries `input` / `snapshot` (`state_encoding`: binary on V2, base64 JSON on V1).
 * Each joined tab holds a seat in the room's simulation, which may run on this node or on another
 * node of a cluster; the channel is the WebSocket fallback for the tab's game traffic either way.
 * A socket may attempt `joinsPerSocketPerMinute` joins a minute (`rate_limited`) and be in
 * `maxRoomsPerSocket` rooms at once (`too_many_rooms_joined`).
 */
export function createRoomChannel(deps: RoomChannelDeps): ChannelHandler<SocketAssigns> {
  const { storage, rooms, roomLimits } = deps;
  const { input: inputLimit, roomJoins: joinLimit, chat: chatLimit } = deps.limits;
  const seats = new WeakMap<ChannelContext<SocketAssigns>, RoomSeat>();
  /** Room channels joined or joining, per socket (`connectionId`). */
  const roomsOfSocket = new Map<string, number>();
  /** The channels counted in `roomsOfSocket`, so each is uncounted once. */
  const counted = new WeakSet<ChannelContext<SocketAssigns>>();
  const uncount = (channel: ChannelContext<SocketAssigns>): void => {
    if (!counted.delete(channel)) return;
    const left = (roomsOfSocket.get(channel.connectionId) ?? 1) - 1;
    if (left > 0) roomsOfSocket.set(channel.connectionId, left);
    else roomsOfSocket.delete(channel.connectionId);
  };

  return {
    async join(topic, params, channel) {
      // Every attempt counts, refused ones too: each costs a storage read and a room lookup.
      if (joinLimit.check(channel.connectionId) !== 'allowed') {
        return error(channelError(ErrorCode.rateLimited, 'You are joining rooms too fast; wait a minute.'));
      }
      const parsed = ChatJoinParams.safeParse(params);
      if (!parsed.success) return error(channelError(ErrorCode.invalidRequest, 'last_seen_id must be a message id'));
      const held = roomsOfSocket.get(channel.connectionId) ?? 0;
      if (held >= roomLimits.maxRoomsPerSocket) {
        return error(
          channelError(
            ErrorCode.tooManyRoomsJoined,
            roomLimits.maxRoomsPerSocket === 1
              ? 'You are already in a room; leave it first.'
              : `You are already in ${roomLimits.maxRoomsPerSocket} rooms; leave one first.`,
          ),
        );
      }
      // Counted before the awaits below, so concurrent joins on one socket cannot all pass the check.
      roomsOfSocket.set(channel.connectionId, held + 1);
      counted.add(channel);
      let seated: SeatResult;
      let history: ChatMessage[];
      try {
        // History before the slot: if storage fails, the join crashes before the player takes one.
        history = await chatHistory(storage, topic, parsed.data?.last_seen_id);
        seated = await rooms.sit(topicSubject(topic), channel);
      } catch (failure) {
        uncount(channel);
        throw failure;
      }
      if (!seated.ok) {
        uncount(channel);
        return error(channelError(seated.reason, seated.message));
      }
      const { seat } = seated;
      seats.set(channel, seat);
      return ok({
        room: seat.room,
        slot: seat.slot,
        history,
        state_encoding: channel.supportsBinary ? StateEncoding.binary : StateEncoding.base64,
      });
    },

    afterJoin(channel) {
      seats.get(channel)?.start((meta) => {
        channel.presence.track(channel.assigns.user.id, meta);
        channel.push(PresenceEvent.state, channel.presence.list());
      });
    },

    handleIn(event, payload, channel) {
      if (event === GameChannelEvent.input) {
        // Never replied to, not even with an error: a reply per input would double the traffic.
        const seat = seats.get(channel);
        if (!seat) return undefined;
        if (inputLimit.check(channel.assigns.user.id) === 'allowed') seat.input(payload);
        else seat.inputDropped();
        return undefined;
      }
      if (event === ChatEvent.send) return sendChat(storage, chatLimit, channel, payload);
      return error(channelError(ErrorCode.invalidRequest, `unknown event "${event}"`));
    },

    terminate(_reason, channel) {
      uncount(channel);
      seats.get(channel)?.leave();
      seats.delete(channel);
    },
  };
}
