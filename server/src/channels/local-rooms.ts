import type { ChannelContext } from '@starcatch/phoenix';
import type { RoomSummary } from '@starcatch/shared';
import type { StoredRoom } from '../storage/storage.ts';
import type { GameLink, RoomPresenceMeta } from '../transport/game-link.ts';
import type { RoomHost } from './room-host.ts';
import type { RoomAccess, RoomSeat, SeatResult } from './room-seat.ts';
import type { SocketAssigns } from './socket-assigns.ts';

/** A seat in a room simulated by this node, for a channel of this node. */
export class LocalSeat implements RoomSeat {
  readonly room: RoomSummary;
  readonly slot: number;
  readonly #host: RoomHost;
  readonly #channel: ChannelContext<SocketAssigns>;
  #link: GameLink | undefined;
  #left = false;

  constructor(host: RoomHost, channel: ChannelContext<SocketAssigns>, room: RoomSummary, slot: number) {
    this.#host = host;
    this.#channel = channel;
    this.room = room;
    this.slot = slot;
  }

  start(announce: (meta: RoomPresenceMeta) => void): void {
    if (this.#left || this.#link) return;
    this.#link = this.#host.attach(this.room.id, this.slot, this.#channel, announce);
  }

  input(payload: unknown): void {
    if (this.#link) this.#host.input(this.#link, payload);
  }

  inputDropped(): void {
    if (this.#link) this.#host.inputDropped(this.#link);
  }

  leave(): void {
    if (this.#left) return;
    this.#left = true;
    this.#host.release(this.room.id, this.#channel.assigns.user.id, this.#link);
  }
}

/** Admits a channel to a room this node hosts. */
export function sitLocally(host: RoomHost, roomId: string, channel: ChannelContext<SocketAssigns>): SeatResult {
  const admitted = host.admit(roomId, channel.assigns.user.id);
  if (!admitted.ok) return admitted;
  return { ok: true, seat: new LocalSeat(host, channel, admitted.room, admitted.slot) };
}

/** The rooms of a standalone server: every room lives in this process. */
export class LocalRooms implements RoomAccess {
  readonly #host: RoomHost;

  constructor(host: RoomHost) {
    this.#host = host;
  }

  async list(): Promise<RoomSummary[]> {
    return this.#host.rooms.list();
  }

  async pickForQuickPlay(userId: string): Promise<RoomSummary | undefined> {
    return this.#host.rooms.pickForQuickPlay(userId);
  }

  async open(room: StoredRoom): Promise<RoomSummary> {
    return this.#host.rooms.open(room);
  }

  async sit(roomId: string, channel: ChannelContext<SocketAssigns>): Promise<SeatResult> {
    return sitLocally(this.#host, roomId, channel);
  }
}
