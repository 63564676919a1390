import type { ChannelContext } from '@starcatch/phoenix';
import type { RoomSummary } from '@starcatch/shared';
import type { AdmitRefusal } from '../rooms/room-registry.ts';
import type { StoredRoom } from '../storage/storage.ts';
import type { RoomPresenceMeta } from '../transport/game-link.ts';
import type { SocketAssigns } from './socket-assigns.ts';

/**
 * One tab's place in a room, wherever the room is simulated: on this node, or on another node of
 * the cluster with the game traffic relayed. The room channel talks to nothing else.
 */
export interface RoomSeat {
  readonly room: RoomSummary;
  readonly slot: number;
  /**
   * Starts the tab's game traffic once its channel is joined. `announce` is called first with the
   * tab's presence meta (track it, push `presence_state`); the simulation's `sync` follows.
   */
  start(announce: (meta: RoomPresenceMeta) => void): void;
  /** A WebSocket `input` push that passed the channel's budget. */
  input(payload: unknown): void;
  /** A WebSocket `input` push the channel's budget refused. */
  inputDropped(): void;
  /** The tab left the room (leave, socket closed, crash). */
  leave(): void;
}

export type SeatResult = { readonly ok: true; readonly seat: RoomSeat } | AdmitRefusal;

/** The rooms as the channels see them: one process, or a whole cluster. */
export interface RoomAccess {
  list(): Promise<RoomSummary[]>;
  /** The open room with the most players that has a free slot, if any. */
  pickForQuickPlay(userId: string): Promise<RoomSummary | undefined>;
  /** Opens a room already saved in storage, simulated on this node. */
  open(room: StoredRoom): Promise<RoomSummary>;
  /** Takes a slot for the channel's user in the room, or says why not. */
  sit(roomId: string, channel: ChannelContext<SocketAssigns>): Promise<SeatResult>;
}
