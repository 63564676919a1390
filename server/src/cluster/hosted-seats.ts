import type { Logger } from '@starcatch/phoenix';
import type { ErrorCode, RoomSummary, User } from '@starcatch/shared';
import { z } from 'zod';
import type { RoomHost } from '../channels/room-host.ts';
import type { GameLink } from '../transport/game-link.ts';
import { ClusterMessage } from './cluster-messages.ts';
import type { NodeBus } from './node-bus.ts';
import { RemoteChannel } from './remote-channel.ts';
import { readSeatFrame } from './seat-frames.ts';

/** The answer to `room.sit`. */
export type SitAnswer =
  | { readonly room: RoomSummary; readonly slot: number }
  | { readonly refused: { readonly reason: ErrorCode; readonly message: string } }
  /** This node does not (or no longer) host the room: ask its lease holder again. */
  | { readonly moved: true };

const SitRequest = z.object({
  roomId: z.string(),
  seat: z.string(),
  topic: z.string(),
  connectionId: z.string(),
  user: z.object({ id: z.string(), nickname: z.string(), color: z.string() }),
});
const SeatMessage = z.object({ seat: z.string() });

interface HostedSeat {
  readonly node: string;
  readonly roomId: string;
  readonly slot: number;
  readonly user: User;
  readonly channel: RemoteChannel;
  link: GameLink | undefined;
}

/**
 * The host's side of tabs whose sockets are on other nodes: it admits them, gives each a game link
 * on a `RemoteChannel`, takes their relayed inputs and lets them go when they leave or their node
 * dies. WebRTC traffic of those tabs never comes here through Redis: their peers live on this node.
 */
export class HostedSeats {
  readonly #bus: NodeBus;
  readonly #host: RoomHost;
  readonly #logger: Logger;
  readonly #seats = new Map<string, HostedSeat>();

  constructor(bus: NodeBus, host: RoomHost, logger: Logger) {
    this.#bus = bus;
    this.#host = host;
    this.#logger = logger;
    bus.onRequest(ClusterMessage.roomSit, (body, from) => this.#sit(body, from));
    bus.onMessage(ClusterMessage.roomStart, (body) => this.#start(body));
    bus.onMessage(ClusterMessage.roomInputDropped, (body) => {
      const link = this.#seatOf(body)?.link;
      if (link) host.inputDropped(link);
    });
    bus.onMessage(ClusterMessage.roomLeave, (body) => {
      const parsed = SeatMessage.safeParse(body);
      if (parsed.success) this.#release(parsed.data.seat);
    });
    bus.onBytes(ClusterMessage.roomInput, (frame) => {
      const read = readSeatFrame(frame);
      const link = read && this.#seats.get(read.key)?.link;
      if (read && link) host.input(link, read.bytes);
    });
  }

  get size(): number {
    return this.#seats.size;
  }

  /** A node died: its tabs are gone, and so are their slots. */
  nodeDown(node: string): void {
    for (const [key, seat] of this.#seats) if (seat.node === node) this.#release(key);
  }

  /** This node stopped hosting the room: its remote tabs are told to find the new host. */
  roomLost(roomId: string): void {
    for (const [key, seat] of this.#seats) {
      if (seat.roomId !== roomId) continue;
      this.#bus.send(seat.node, ClusterMessage.seatMoved, { seat: key });
      this.#release(key);
    }
  }

  #sit(body: Record<string, unknown>, from: string): SitAnswer {
    const request = SitRequest.parse(body);
    if (!this.#host.rooms.get(request.roomId)) return { moved: true };
    const admitted = this.#host.admit(request.roomId, request.user.id);
    if (!admitted.ok) return { refused: { reason: admitted.reason, message: admitted.message } };
    this.#seats.set(request.seat, {
      node: from,
      roomId: request.roomId,
      slot: admitted.slot,
      user: request.user,
      channel: new RemoteChannel({
        bus: this.#bus,
        node: from,
        seat: request.seat,
        topic: request.topic,
        user: request.user,
        connectionId: request.connectionId,
      }),
      link: undefined,
    });
    return { room: admitted.room, slot: admitted.slot };
  }

  #start(body: Record<string, unknown>): void {
    const seat = this.#seatOf(body);
    if (!seat || seat.link) return;
    const { channel } = seat;
    seat.link = this.#host.attach(seat.roomId, seat.slot, channel, (meta) =>
      channel.presence.update(seat.user.id, meta),
    );
  }

  #release(key: string): void {
    const seat = this.#seats.get(key);
    if (!seat) return;
    this.#seats.delete(key);
    seat.channel.close();
    try {
      this.#host.release(seat.roomId, seat.user.id, seat.link);
    } catch (error) {
      this.#logger.error({ err: error, roomId: seat.roomId }, 'releasing a remote seat failed');
    }
  }

  #seatOf(body: Record<string, unknown>): HostedSeat | undefined {
    const parsed = SeatMessage.safeParse(body);
    return parsed.success ? this.#seats.get(parsed.data.seat) : undefined;
  }
}
