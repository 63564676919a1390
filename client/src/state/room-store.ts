import type { ChannelError, RoomSummary } from '@starcatch/shared';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RoomMember } from './room-members.ts';

/**
 * `idle`: in no room. `joining`: the first join of `roomId` has no reply yet. `joined`: in the room.
 * `rejoining`: the socket dropped and phoenix.js is rejoining; the room is still ours.
 */
export type RoomStatus = 'idle' | 'joining' | 'joined' | 'rejoining';

export interface RoomState {
  readonly status: RoomStatus;
  /** The room being joined or joined; null when idle. */
  readonly roomId: string | null;
  /** The room as the join reply described it; the lobby's broadcasts keep a fresher copy. */
  readonly summary: RoomSummary | null;
  /** This player's slot in the room (it picks the spawn point). */
  readonly slot: number | null;
  readonly members: readonly RoomMember[];
  /**
   * Why the player is not in the room they asked for: a refused join or quick play, or a rejoin the
   * server turned down after a reconnect. Cleared by the next join.
   */
  readonly refusal: ChannelError | null;
}

export type RoomStore = StoreApi<RoomState>;

export const NO_ROOM: RoomState = {
  status: 'idle',
  roomId: null,
  summary: null,
  slot: null,
  members: [],
  refusal: null,
};

export function createRoomStore(): RoomStore {
  return createStore<RoomState>()(() => NO_ROOM);
}

/**
 * The room the player is in, as fresh as the tab knows it: the lobby's copy (kept current by
 * `room_updated`) when it has one, else the join reply's. Null until the join succeeds.
 */
export function currentRoom(room: RoomState, lobbyRooms: readonly RoomSummary[]): RoomSummary | null {
  if ((room.status !== 'joined' && room.status !== 'rejoining') || room.summary === null) return null;
  const { id } = room.summary;
  return lobbyRooms.find((known) => known.id === id) ?? room.summary;
}
