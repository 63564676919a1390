import { LobbyEvent, Topic } from '@starcatch/shared';
import type { PhoenixSocket } from '../phoenix/index.ts';
import type { RoomListener } from '../rooms/room-registry.ts';

/** Tells everyone in the lobby about room-list changes. */
export function lobbyRoomBroadcasts(socket: () => PhoenixSocket<object>): RoomListener {
  return {
    roomCreated: (room) => socket().broadcast(Topic.lobby, LobbyEvent.roomCreated, room),
    roomUpdated: (room) => socket().broadcast(Topic.lobby, LobbyEvent.roomUpdated, room),
    roomClosed: (id) => socket().broadcast(Topic.lobby, LobbyEvent.roomClosed, { id }),
  };
}
