import type { ChannelContext } from '@starcatch/phoenix';
import type { RoomSummary } from '@starcatch/shared';
import type { LocalSeat } from '../channels/local-rooms.ts';
import type { RoomSeat } from '../channels/room-seat.ts';
import type { SocketAssigns } from '../channels/socket-assigns.ts';
import type { AdmitRefusal } from '../rooms/room-registry.ts';
import type { RoomPresenceMeta } from '../transport/game-link.ts';
import type { RemoteSeat } from './remote-seat.ts';

/** A seat whose room cannot be placed for this long (Redis down throughout) gives up. */
const RELOCATION_GIVE_UP_MS = 30_000;
/** How often placement is retried while the cluster is unreachable. */
const RELOCATION_RETRY_MS = 1_000;

/** A seat as placed on a host: this node's own, or relayed to another node. */
export type PlacedSeat = { readonly host: string; readonly seat: LocalSeat | RemoteSeat };

export interface SeatPlacement {
  /** Finds the room's host (claiming the room if nobody holds it) and takes a slot there. */
  place(roomId: string, channel: ChannelContext<SocketAssigns>): Promise<PlacedSeat | AdmitRefusal>;
  /** The socket's game traffic now belongs on `host`: its WebRTC peer should live there. */
  follow(connectionId: string, host: string): void;
  /** The seat is gone for good. */
  forget(seat: ClusterSeat): void;
}

/**
 * A room channel's seat in a cluster. It keeps the channel in the room when the room changes
 * hands: if its host dies or gives the room up, the seat is placed again on the new host, the tab
 * keeps its channel and presence, and the new host's `sync` brings its game up to date.
 */
export class ClusterSeat implements RoomSeat {
  readonly room: RoomSummary;
  readonly slot: number;
  readonly #placement: SeatPlacement;
  readonly #channel: ChannelContext<SocketAssigns>;
  #placed: PlacedSeat;
  #started = false;
  #left = false;
  #relocating = false;

  constructor(placement: SeatPlacement, channel: ChannelContext<SocketAssigns>, placed: PlacedSeat) {
    this.#placement = placement;
    this.#channel = channel;
    this.#placed = placed;
    this.room = placed.seat.room;
    this.slot = placed.seat.slot;
  }

  get host(): string {
    return this.#placed.host;
  }

  /** The socket whose room channel holds this seat. */
  get connectionId(): string {
    return this.#channel.connectionId;
  }

  get roomId(): string {
    return this.room.id;
  }

  /** The relayed seat's key, when the room is simulated elsewhere. */
  get remoteKey(): string | undefined {
    const { seat } = this.#placed;
    return 'key' in seat ? seat.key : undefined;
  }

  start(announce: (meta: RoomPresenceMeta) => void): void {
    if (this.#left || this.#started) return;
    this.#started = true;
    this.#placed.seat.start(announce);
    this.#placement.follow(this.#channel.connectionId, this.host);
  }

  input(payload: unknown): void {
    this.#placed.seat.input(payload);
  }

  inputDropped(): void {
    this.#placed.seat.inputDropped();
  }

  leave(): void {
    if (this.#left) return;
    this.#left = true;
    this.#placed.seat.leave();
    this.#placement.forget(this);
  }

  /**
   * The host is gone or gave the room up. `hostAlive` says whether to tell it the tab left (a dead
   * host is not told). Placement is retried while the cluster is unreachable, up to
   * `RELOCATION_GIVE_UP_MS`; refused by the new host (the room closed meanwhile), or out of time,
   * the channel stops and the client hears `phx_close`.
   */
  async relocate(hostAlive: boolean): Promise<void> {
    if (this.#left || this.#relocating) return;
    this.#relocating = true;
    const { seat } = this.#placed;
    if (hostAlive || !('abandon' in seat)) seat.leave();
    else seat.abandon();
    try {
      const placed = await this.#placeAgain();
      if (this.#left) {
        if (placed && 'seat' in placed) placed.seat.leave();
        return;
      }
      if (!placed || !('seat' in placed)) {
        this.#left = true;
        this.#placement.forget(this);
        this.#channel.stop();
        return;
      }
      this.#placed = placed;
      if (this.#started) {
        const channel = this.#channel;
        placed.seat.start((meta) => channel.presence.update(channel.assigns.user.id, meta));
        this.#placement.follow(channel.connectionId, placed.host);
      }
    } finally {
      this.#relocating = false;
    }
  }

  /** `place`, retried through errors (Redis unreachable) until it answers or time runs out. */
  async #placeAgain(): Promise<PlacedSeat | AdmitRefusal | undefined> {
    const deadline = Date.now() + RELOCATION_GIVE_UP_MS;
    while (!this.#left) {
      try {
        return await this.#placement.place(this.roomId, this.#channel);
      } catch {
        if (Date.now() > deadline) return undefined;
        await new Promise((resolve) => setTimeout(resolve, RELOCATION_RETRY_MS));
      }
    }
    return undefined;
  }
}
