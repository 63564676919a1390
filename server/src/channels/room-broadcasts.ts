import type { PubSub } from '@starcatch/phoenix';
import { LobbyEvent, Topic } from '@starcatch/shared';
import type { RoomListener } from '../rooms/room-registry.ts';

/** Tells everyone in the lobby about room-list changes, through the socket's PubSub. */
export function lobbyRoomBroadcasts(pubsub: Pick<PubSub, 'broadcast'>): RoomListener {
  return {
    roomCreated: (room) => pubsub.broadcast(Topic.lobby, LobbyEvent.roomCreated, room),
    roomUpdated: (room) => pubsub.broadcast(Topic.lobby, LobbyEvent.roomUpdated, room),
    roomClosed: (id) => pubsub.broadcast(Topic.lobby, LobbyEvent.roomClosed, { id }),
  };
}
