import type { ChannelContext, Logger, Payload } from '@starcatch/phoenix';
import { ErrorCode, type RoomSummary } from '@starcatch/shared';
import { z } from 'zod';
import { LocalSeat } from '../channels/local-rooms.ts';
import type { RoomHost } from '../channels/room-host.ts';
import type { RoomAccess, SeatResult } from '../channels/room-seat.ts';
import type { SocketAssigns } from '../channels/socket-assigns.ts';
import type { AdmitRefusal } from '../rooms/room-registry.ts';
import type { Storage, StoredRoom } from '../storage/storage.ts';
import { ClusterMessage } from './cluster-messages.ts';
import type { ClusterNodes } from './cluster-nodes.ts';
import { ClusterSeat, type PlacedSeat, type SeatPlacement } from './cluster-seat.ts';
import type { HostedSeats, SitAnswer } from './hosted-seats.ts';
import type { NodeBus } from './node-bus.ts';
import { RemoteSeat } from './remote-seat.ts';
import type { RoomDirectory } from './room-directory.ts';
import type { RoomLeases } from './room-leases.ts';
import { newSeatKey, readSeatFrame } from './seat-frames.ts';

/** While a dead host's lease runs out, placement asks again this often. */
const PLACEMENT_RETRY_MS = 250;

export interface ClusterRoomsOptions {
  readonly node: string;
  readonly host: RoomHost;
  readonly hosted: HostedSeats;
  readonly leases: RoomLeases;
  readonly directory: RoomDirectory;
  readonly storage: Storage;
  readonly bus: NodeBus;
  readonly nodes: ClusterNodes;
  readonly leaseMs: number;
  readonly snapshotMaxBufferedBytes: number;
  /** Moves a socket's WebRTC peer to the node that hosts its room. */
  follow(connectionId: string, host: string): void;
  readonly logger: Logger;
}

const SeatPush = z.object({ seat: z.string(), event: z.string(), payload: z.record(z.string(), z.unknown()) });
const SeatPresence = z.object({ seat: z.string(), meta: z.record(z.string(), z.unknown()) });
const SeatOnly = z.object({ seat: z.string() });

/**
 * The rooms of a cluster. Which rooms exist is in the database; which node simulates each one is a
 * lease in Redis (`RoomLeases`); what the lobby lists is a Redis hash its hosts keep current
 * (`RoomDirectory`). A tab joins a room through the node of its socket: hosted here, the seat is
 * local; hosted elsewhere, the seat is relayed to the host over the node bus.
 *
 * Every node renews the leases of the rooms it hosts and adopts rooms nobody holds (a dead host's,
 * or all of them after a Redis restart emptied the keys), so a room is never without a host for
 * much longer than a lease.
 */
export class ClusterRooms implements RoomAccess, SeatPlacement {
  readonly #options: ClusterRoomsOptions;
  readonly #seats = new Set<ClusterSeat>();
  /** Relayed seats of this node's channels, by key, for the host's pushes. */
  readonly #remote = new Map<string, RemoteSeat>();
  readonly #timers: NodeJS.Timeout[] = [];
  #adopting = false;
  /** Shutting down: no more adoption or relocation, whatever the other nodes do. */
  #disposed = false;
  /** No adoption before this time: after a Redis outage the hosts re-claim their own rooms first. */
  #adoptAfter = 0;

  constructor(options: ClusterRoomsOptions) {
    this.#options = options;
    const { bus, nodes } = options;
    bus.onMessage(ClusterMessage.seatPush, (body) => {
      const parsed = SeatPush.safeParse(body);
      if (parsed.success) this.#remote.get(parsed.data.seat)?.push(parsed.data.event, parsed.data.payload as Payload);
    });
    bus.onBytes(ClusterMessage.seatSnapshot, (frame) => {
      const read = readSeatFrame(frame);
      if (read) this.#remote.get(read.key)?.snapshot(read.bytes);
    });
    bus.onMessage(ClusterMessage.seatPresence, (body) => {
      const parsed = SeatPresence.safeParse(body);
      if (parsed.success) this.#remote.get(parsed.data.seat)?.presence(parsed.data.meta);
    });
    bus.onMessage(ClusterMessage.seatMoved, (body) => {
      const parsed = SeatOnly.safeParse(body);
      if (!parsed.success) return;
      for (const seat of this.#seats) if (seat.remoteKey === parsed.data.seat) void seat.relocate(false);
    });
    nodes.onDown((node) => this.#nodeDown(node));
  }

  /** Starts renewing leases and adopting rooms without a host. */
  start(): void {
    const { leaseMs } = this.#options;
    this.#timers.push(setInterval(() => void this.#renewLeases(), Math.floor(leaseMs / 3)));
    this.#timers.push(setInterval(() => void this.adoptOrphans(), Math.floor(leaseMs / 2)));
    for (const timer of this.#timers) timer.unref();
    void this.adoptOrphans();
  }

  dispose(): void {
    this.#disposed = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.length = 0;
  }

  /**
   * Redis is back after an outage. A restarted Redis has lost every lease: this node re-claims its
   * own rooms at once, and waits a lease before adopting anyone else's, so each room stays where
   * it was instead of going to whichever node scans first.
   */
  reconnected(): void {
    this.#adoptAfter = Date.now() + this.#options.leaseMs;
    void this.#renewLeases();
  }

  /** Gives up every lease this node holds (a clean shutdown), so another node adopts the rooms at once. */
  async releaseAll(): Promise<void> {
    const ids = this.#options.host.rooms.list().map((room) => room.id);
    await Promise.allSettled(ids.map((id) => this.#options.leases.release(id)));
  }

  // RoomAccess

  async list(): Promise<RoomSummary[]> {
    try {
      return await this.#options.directory.list();
    } catch (error) {
      // Redis is unreachable: this node's own rooms are still worth showing.
      this.#options.logger.debug({ err: error }, 'room directory unreachable; listing this node’s rooms');
      return this.#options.host.rooms.list();
    }
  }

  async pickForQuickPlay(): Promise<RoomSummary | undefined> {
    let best: RoomSummary | undefined;
    for (const room of await this.list()) {
      if (room.players >= room.max_players) continue;
      if (!best || room.players > best.players) best = room;
    }
    return best;
  }

  async open(room: StoredRoom): Promise<RoomSummary> {
    const { leases, host, logger } = this.#options;
    try {
      // A fresh random id: nobody else holds it, so the claim only fails on a reused one.
      if (!(await leases.claim(room.id))) logger.error({ roomId: room.id }, 'a new room id was already hosted');
    } catch (error) {
      // Redis is unreachable: host the room anyway; the lease is claimed by the next renewal.
      logger.warn({ err: error, roomId: room.id }, 'room opened without its lease; claimed when Redis is back');
    }
    return host.rooms.open(room);
  }

  async sit(roomId: string, channel: ChannelContext<SocketAssigns>): Promise<SeatResult> {
    let placed: PlacedSeat | AdmitRefusal;
    try {
      placed = await this.place(roomId, channel);
    } catch (error) {
      // Redis is unreachable. A room simulated here can still be joined; any other cannot be found.
      if (!this.#options.host.rooms.get(roomId)) {
        this.#options.logger.warn({ err: error, roomId }, 'room join refused: the cluster is unreachable');
        return {
          ok: false,
          reason: ErrorCode.clusterUnavailable,
          message: 'The server cannot reach the rest of its cluster right now; try again in a moment.',
        };
      }
      placed = this.#placeHere(roomId, channel);
    }
    if (!('seat' in placed)) return placed;
    const seat = new ClusterSeat(this, channel, placed);
    this.#seats.add(seat);
    return { ok: true, seat };
  }

  // SeatPlacement

  async place(roomId: string, channel: ChannelContext<SocketAssigns>): Promise<PlacedSeat | AdmitRefusal> {
    const { node, leases, nodes, host } = this.#options;
    const deadline = Date.now() + this.#options.leaseMs * 2;
    for (;;) {
      const holder = await leases.holder(roomId);
      if (holder === node && host.rooms.get(roomId)) return this.#placeHere(roomId, channel);
      if (holder !== null && holder !== node && nodes.isAlive(holder)) {
        const placed = await this.#placeOn(holder, roomId, channel);
        if (placed) return placed;
      } else if (holder === null || holder === node) {
        const adopted = await this.#adopt(roomId);
        if (adopted === 'gone') return this.#missing(roomId);
        if (adopted === 'hosted') return this.#placeHere(roomId, channel);
      }
      // A dead host's lease has not run out yet, or the room just moved: ask again shortly.
      if (Date.now() > deadline) {
        return { ok: false, reason: ErrorCode.roomNotFound, message: 'The room has no server right now; try again.' };
      }
      await delay(PLACEMENT_RETRY_MS);
    }
  }

  follow(connectionId: string, host: string): void {
    this.#options.follow(connectionId, host);
  }

  /** The node simulating the room this socket plays in, if it is in one. */
  hostFor(connectionId: string): string | undefined {
    for (const seat of this.#seats) if (seat.connectionId === connectionId) return seat.host;
    return undefined;
  }

  forget(seat: ClusterSeat): void {
    this.#seats.delete(seat);
  }

  /** Claims every stored open room that no node holds, and starts hosting the ones it wins. */
  async adoptOrphans(): Promise<void> {
    if (this.#adopting || this.#disposed || Date.now() < this.#adoptAfter) return;
    this.#adopting = true;
    try {
      const stored = await this.#options.storage.openRooms();
      const holders = await this.#options.leases.holders(stored.map((room) => room.id));
      for (const room of stored) {
        if (holders.get(room.id) === null) await this.#adopt(room.id, room);
      }
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'adopting rooms without a host failed; will retry');
    } finally {
      this.#adopting = false;
    }
  }

  #placeHere(roomId: string, channel: ChannelContext<SocketAssigns>): PlacedSeat | AdmitRefusal {
    const { host, node } = this.#options;
    const admitted = host.admit(roomId, channel.assigns.user.id);
    if (!admitted.ok) return admitted;
    return { host: node, seat: new LocalSeat(host, channel, admitted.room, admitted.slot) };
  }

  /** Asks `holder` for a slot; undefined when it no longer hosts the room or did not answer. */
  async #placeOn(
    holder: string,
    roomId: string,
    channel: ChannelContext<SocketAssigns>,
  ): Promise<PlacedSeat | AdmitRefusal | undefined> {
    const key = newSeatKey();
    let answer: SitAnswer;
    try {
      answer = (await this.#options.bus.request(holder, ClusterMessage.roomSit, {
        roomId,
        seat: key,
        topic: channel.topic,
        connectionId: channel.connectionId,
        user: channel.assigns.user,
      })) as SitAnswer;
    } catch (error) {
      this.#options.logger.warn({ err: error, roomId, holder }, 'room host did not answer a join');
      return undefined;
    }
    if ('moved' in answer) return undefined;
    if ('refused' in answer) {
      return { ok: false, reason: answer.refused.reason, message: answer.refused.message } as AdmitRefusal;
    }
    const seat = new RemoteSeat({
      bus: this.#options.bus,
      host: holder,
      key,
      channel,
      room: answer.room,
      slot: answer.slot,
      snapshotMaxBufferedBytes: this.#options.snapshotMaxBufferedBytes,
      released: (released) => this.#remote.delete(released),
    });
    // Registered before the channel is joined: the host's first pushes (the `sync`) may come at once.
    this.#remote.set(key, seat);
    return { host: holder, seat };
  }

  /**
   * Takes a room nobody hosts. `hosted`: this node hosts it now; `taken`: another node claimed it
   * first; `gone`: it is not an open room in the database.
   */
  async #adopt(roomId: string, known?: StoredRoom): Promise<'hosted' | 'taken' | 'gone'> {
    const { host, leases, storage, logger } = this.#options;
    if (host.rooms.get(roomId)) return 'hosted';
    const stored = known ?? (await storage.openRooms()).find((room) => room.id === roomId);
    if (!stored) return 'gone';
    // A lease under this node's own name is a previous life's (a restarted worker): take it back.
    if (!(await leases.claim(roomId)) && !(await leases.renew(roomId))) return 'taken';
    if (!host.rooms.get(roomId)) {
      host.rooms.open(stored);
      logger.info({ roomId }, 'room adopted: this node hosts it now');
    }
    return 'hosted';
  }

  async #missing(roomId: string): Promise<AdmitRefusal> {
    return (await this.#options.storage.isRoomClosed(roomId))
      ? { ok: false, reason: ErrorCode.roomClosed, message: 'This room has closed.' }
      : { ok: false, reason: ErrorCode.roomNotFound, message: 'There is no room with that id.' };
  }

  async #renewLeases(): Promise<void> {
    const { host, leases, logger } = this.#options;
    for (const room of host.rooms.list()) {
      try {
        // A lease that vanished (Redis restarted) is claimed again; one taken by another node is lost.
        if ((await leases.renew(room.id)) || (await leases.claim(room.id))) continue;
        logger.warn({ roomId: room.id }, 'room lease lost to another node; handing the room over');
        this.#lose(room.id);
      } catch (error) {
        // Redis is unreachable: keep simulating; nobody else can claim the room meanwhile.
        logger.debug({ err: error, roomId: room.id }, 'room lease not renewed');
        return;
      }
    }
  }

  /** Another node hosts the room now: every tab in it, here or relayed, is placed there. */
  #lose(roomId: string): void {
    const { host, hosted } = this.#options;
    hosted.roomLost(roomId);
    for (const seat of this.#seats)
      if (seat.roomId === roomId && seat.host === this.#options.node) void seat.relocate(true);
    host.rooms.drop(roomId);
  }

  #nodeDown(node: string): void {
    if (this.#disposed) return;
    // A node that stopped cleanly and one that died look the same from here: both left the cluster.
    this.#options.logger.info({ node }, 'cluster node gone: moving its rooms and dropping its tabs');
    this.#options.hosted.nodeDown(node);
    for (const seat of this.#seats) if (seat.host === node) void seat.relocate(false);
    void this.adoptOrphans();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
