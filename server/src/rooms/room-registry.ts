import { randomBytes } from 'node:crypto';
import { ErrorCode, type RoomState, type RoomSummary } from '@starcatch/shared';

/** Told about every change to the room list (the lobby channel broadcasts them). */
export interface RoomListener {
  roomCreated(room: RoomSummary): void;
  roomUpdated(room: RoomSummary): void;
  roomClosed(roomId: string): void;
}

export interface AdmitRefusal {
  readonly ok: false;
  readonly reason:
    | typeof ErrorCode.roomNotFound
    | typeof ErrorCode.roomFull
    | typeof ErrorCode.roomClosed
    | typeof ErrorCode.clusterUnavailable;
  readonly message: string;
}

export type AdmitResult = { readonly ok: true; readonly room: RoomSummary; readonly slot: number } | AdmitRefusal;

export interface RoomRegistryOptions {
  /** An empty room closes after this long (ms); default 60 s. */
  readonly emptyRoomTimeoutMs: number;
  readonly listener: RoomListener;
}

export const DEFAULT_EMPTY_ROOM_TIMEOUT_MS = 60_000;
/** Closed rooms are remembered this long, so joining one says "closed" rather than "not found". */
const CLOSED_ROOM_MEMORY_MS = 10 * 60_000;

interface Member {
  readonly slot: number;
  /** Open channels of this user in the room (tabs). */
  connections: number;
}

class Room {
  readonly members = new Map<string, Member>();
  state: RoomState = 'waiting';
  emptyTimer: NodeJS.Timeout | undefined;

  readonly id: string;
  readonly name: string;
  readonly maxPlayers: number;

  constructor(id: string, name: string, maxPlayers: number) {
    this.id = id;
    this.name = name;
    this.maxPlayers = maxPlayers;
  }

  summary(): RoomSummary {
    return {
      id: this.id,
      name: this.name,
      max_players: this.maxPlayers,
      players: this.members.size,
      state: this.state,
    };
  }

  freeSlot(): number {
    const taken = new Set([...this.members.values()].map((member) => member.slot));
    let slot = 0;
    while (taken.has(slot)) slot++;
    return slot;
  }
}

/**
 * The live rooms of this server: who is in which room, in which slot, and when an empty room
 * closes. Rooms are held in memory; they do not survive a restart (their chat does).
 */
export class RoomRegistry {
  readonly #rooms = new Map<string, Room>();
  readonly #closed = new Map<string, number>(); // id → when it closed
  readonly #options: RoomRegistryOptions;

  constructor(options: RoomRegistryOptions) {
    this.#options = options;
  }

  /** A fresh room id: 8 base64url characters, short for deep links and hard to guess. */
  static newId(): string {
    return randomBytes(6).toString('base64url');
  }

  /** Opens a room (new, or reopened after a restart); it closes if nobody joins in time. */
  open({ id, name, maxPlayers }: { id: string; name: string; maxPlayers: number }): RoomSummary {
    const room = new Room(id, name, maxPlayers);
    this.#rooms.set(room.id, room);
    this.#scheduleCloseIfEmpty(room);
    const summary = room.summary();
    this.#options.listener.roomCreated(summary);
    return summary;
  }

  list(): RoomSummary[] {
    return [...this.#rooms.values()].map((room) => room.summary());
  }

  get(id: string): RoomSummary | undefined {
    return this.#rooms.get(id)?.summary();
  }

  /** Quick play: the open room with the most players that still has a slot for this user, if any. */
  pickForQuickPlay(userId: string): RoomSummary | undefined {
    let best: Room | undefined;
    for (const room of this.#rooms.values()) {
      if (this.refusal(room.id, userId)) continue;
      if (!best || room.members.size > best.members.size) best = room;
    }
    return best?.summary();
  }

  /** Why this user could not enter the room now, or null if they could. No side effects. */
  refusal(roomId: string, userId: string): AdmitRefusal | null {
    const room = this.#rooms.get(roomId);
    if (!room) {
      return this.#closed.has(roomId)
        ? { ok: false, reason: ErrorCode.roomClosed, message: 'This room has closed.' }
        : { ok: false, reason: ErrorCode.roomNotFound, message: 'There is no room with that id.' };
    }
    if (!room.members.has(userId) && room.members.size >= room.maxPlayers) {
      return { ok: false, reason: ErrorCode.roomFull, message: `This room is full (${room.maxPlayers} players).` };
    }
    return null;
  }

  /** A user's tab enters the room. A user already inside keeps their slot whatever the count. */
  admit(roomId: string, userId: string): AdmitResult {
    const refused = this.refusal(roomId, userId);
    const room = this.#rooms.get(roomId);
    if (refused || !room) return refused ?? { ok: false, reason: ErrorCode.roomNotFound, message: 'No such room.' };
    const member = room.members.get(userId);
    if (member) {
      member.connections++;
      return { ok: true, room: room.summary(), slot: member.slot };
    }
    const slot = room.freeSlot();
    room.members.set(userId, { slot, connections: 1 });
    clearTimeout(room.emptyTimer);
    room.emptyTimer = undefined;
    const summary = room.summary();
    this.#options.listener.roomUpdated(summary);
    return { ok: true, room: summary, slot };
  }

  /** A user's tab leaves the room; the user leaves with their last tab. */
  release(roomId: string, userId: string): void {
    const room = this.#rooms.get(roomId);
    const member = room?.members.get(userId);
    if (!room || !member) return;
    member.connections--;
    if (member.connections > 0) return;
    room.members.delete(userId);
    this.#options.listener.roomUpdated(room.summary());
    this.#scheduleCloseIfEmpty(room);
  }

  setState(roomId: string, state: RoomState): void {
    const room = this.#rooms.get(roomId);
    if (!room || room.state === state) return;
    room.state = state;
    this.#options.listener.roomUpdated(room.summary());
  }

  /**
   * Forgets a room without closing it: another node of the cluster hosts it now, and will list,
   * admit and close it from there.
   */
  drop(roomId: string): void {
    const room = this.#rooms.get(roomId);
    if (!room) return;
    clearTimeout(room.emptyTimer);
    this.#rooms.delete(roomId);
  }

  /** Stops every timer (server shutdown). */
  dispose(): void {
    for (const room of this.#rooms.values()) clearTimeout(room.emptyTimer);
  }

  #scheduleCloseIfEmpty(room: Room): void {
    if (room.members.size > 0 || room.emptyTimer) return;
    room.emptyTimer = setTimeout(() => this.#close(room), this.#options.emptyRoomTimeoutMs);
    room.emptyTimer.unref();
  }

  #close(room: Room): void {
    if (room.members.size > 0) return;
    this.#rooms.delete(room.id);
    const now = Date.now();
    this.#closed.set(room.id, now);
    for (const [id, closedAt] of this.#closed) if (now - closedAt > CLOSED_ROOM_MEMORY_MS) this.#closed.delete(id);
    this.#options.listener.roomClosed(room.id);
  }
}
