import type { ChannelContext, Payload } from '@starcatch/phoenix';
import { GameChannelEvent, PlayerTransport, type RoomSummary, StateEncoding } from '@starcatch/shared';
import type { RoomSeat } from '../channels/room-seat.ts';
import type { SocketAssigns } from '../channels/socket-assigns.ts';
import type { RoomPresenceMeta } from '../transport/game-link.ts';
import { readStatePayload, statePayload } from '../transport/websocket-route.ts';
import { ClusterMessage } from './cluster-messages.ts';
import type { NodeBus } from './node-bus.ts';
import { seatFrame } from './seat-frames.ts';

export interface RemoteSeatOptions {
  readonly bus: NodeBus;
  /** The node that simulates the room. */
  readonly host: string;
  readonly key: string;
  readonly channel: ChannelContext<SocketAssigns>;
  readonly room: RoomSummary;
  readonly slot: number;
  /** Relayed snapshots are skipped while the socket has more than this unsent. */
  readonly snapshotMaxBufferedBytes: number;
  /** The seat will take no more pushes (left or abandoned). */
  released(key: string): void;
}

/**
 * A seat in a room simulated by another node, held by a channel of this node. The WebSocket
 * fallback's traffic is relayed: inputs go to the host as bytes, and the host's pushes for the
 * tab arrive here and go out on the channel. (A tab on WebRTC talks to the host's peer directly.)
 */
export class RemoteSeat implements RoomSeat {
  readonly room: RoomSummary;
  readonly slot: number;
  readonly host: string;
  readonly key: string;
  readonly #options: RemoteSeatOptions;
  #left = false;

  constructor(options: RemoteSeatOptions) {
    this.#options = options;
    this.room = options.room;
    this.slot = options.slot;
    this.host = options.host;
    this.key = options.key;
  }

  start(announce: (meta: RoomPresenceMeta) => void): void {
    const { user } = this.#options.channel.assigns;
    // The host corrects `transport` as soon as it has opened the tab's link.
    announce({
      nickname: user.nickname,
      color: user.color,
      online_at: Date.now(),
      transport: PlayerTransport.websocket,
    });
    this.#options.bus.send(this.host, ClusterMessage.roomStart, { seat: this.key });
  }

  input(payload: unknown): void {
    const bytes = readStatePayload(payload);
    if (bytes) this.#options.bus.sendBytes(this.host, ClusterMessage.roomInput, seatFrame(this.key, bytes));
  }

  inputDropped(): void {
    this.#options.bus.send(this.host, ClusterMessage.roomInputDropped, { seat: this.key });
  }

  leave(): void {
    if (this.#left) return;
    this.#left = true;
    this.#options.bus.send(this.host, ClusterMessage.roomLeave, { seat: this.key });
    this.#options.released(this.key);
  }

  /** Drops the seat without telling its host (the host is gone, or gave the room up). */
  abandon(): void {
    this.#left = true;
    this.#options.released(this.key);
  }

  // From the host

  push(event: string, payload: Payload): void {
    if (!this.#left) this.#options.channel.push(event, payload);
  }

  snapshot(bytes: Uint8Array): void {
    const { channel, snapshotMaxBufferedBytes } = this.#options;
    if (this.#left || channel.sendBacklog > snapshotMaxBufferedBytes) return;
    channel.push(
      GameChannelEvent.snapshot,
      statePayload(bytes, channel.supportsBinary ? StateEncoding.binary : StateEncoding.base64),
    );
  }

  presence(meta: object): void {
    const { channel } = this.#options;
    if (!this.#left && !channel.closed) channel.presence.update(channel.assigns.user.id, meta);
  }
}
