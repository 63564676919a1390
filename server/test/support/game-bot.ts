/**
 * A player bot against the real server: the official phoenix client on a room channel (the
 * WebSocket path), optionally with a werift `BrowserPeer` on the same socket (the WebRTC path).
 * It records what arrives on each path, counts bytes received, and times each input until the
 * first snapshot that acknowledges it.
 */
import {
  decodeSnapshot,
  encodeInput,
  GameChannelEvent,
  type GameEventMessage,
  type GameNoticePayload,
  LinkProbe,
  parseLinkProbe,
  type SnapshotMessage,
  Topic,
  type User,
} from '@starcatch/shared';
import type { RTCDataChannel } from 'werift';
import { type Channel, type ClientSockets, join, type Socket } from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import { BrowserPeer } from '../rtc/browser-peer.ts';
import type { TestServer } from './test-server.ts';

export type Path = 'websocket' | 'webrtc';

export interface Received<T> {
  readonly at: number;
  readonly path: Path;
  readonly value: T;
}

/** Bytes received per path: whole WebSocket frames (any topic), DataChannel message payloads. */
export interface ByteCounts {
  websocket: number;
  webrtc: number;
}

/** A `WebSocket` class for phoenix.js that counts the bytes of every frame it receives. */
function countingWebSocket(bytes: ByteCounts): typeof WebSocket {
  return class CountingWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: ConstructorParameters<typeof WebSocket>[1]) {
      super(url, protocols);
      this.addEventListener('message', (event: MessageEvent) => {
        const data: unknown = event.data;
        bytes.websocket += typeof data === 'string' ? Buffer.byteLength(data) : (data as ArrayBuffer).byteLength;
      });
    }
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export class GameBot {
  readonly user: User;
  readonly socket: Socket;
  readonly bytes: ByteCounts;
  readonly snapshots: Received<SnapshotMessage>[] = [];
  readonly events: Received<GameEventMessage>[] = [];
  readonly notices: GameNoticePayload[] = [];
  /** Every `presence_diff` on the room channel. */
  readonly presenceDiffs: { joins: Record<string, { metas: Record<string, unknown>[] }> }[] = [];
  /** Input → acknowledging snapshot, ms, per path the snapshot came on. */
  readonly rtts: Record<Path, number[]> = { websocket: [], webrtc: [] };
  room: Channel | undefined;
  /** `user:<id>` on the same socket, joined by `openPeer` for signaling. */
  userChannel: Channel | undefined;
  peer: BrowserPeer | undefined;
  #seq = 0;
  #slot = -1;
  readonly #sentAt = new Map<number, number>();

  private constructor(user: User, socket: Socket, bytes: ByteCounts) {
    this.user = user;
    this.socket = socket;
    this.bytes = bytes;
  }

  /** Signs in a new guest and opens its socket. */
  static async connect(
    server: Pick<TestServer, 'signIn' | 'socketUrl'>,
    sockets: ClientSockets,
    nickname?: string,
  ): Promise<GameBot> {
    const { token, user } = await server.signIn(nickname);
    const bytes: ByteCounts = { websocket: 0, webrtc: 0 };
    const socket = await sockets.open(server.socketUrl, { params: { token }, transport: countingWebSocket(bytes) });
    return new GameBot(user, socket, bytes);
  }

  get seq(): number {
    return this.#seq;
  }

  get slot(): number {
    return this.#slot;
  }

  /** Joins `room:<id>` and resolves with the join reply. */
  async joinRoom(roomId: string): Promise<{ slot: number; state_encoding: string }> {
    const room = this.socket.channel(Topic.room(roomId));
    room.on(GameChannelEvent.snapshot, (payload: unknown) => this.#snapshot('websocket', payload as ArrayBuffer));
    room.on(GameChannelEvent.event, (payload: unknown) => {
      this.events.push({ at: performance.now(), path: 'websocket', value: payload as GameEventMessage });
    });
    room.on(GameChannelEvent.notice, (payload: unknown) => {
      this.notices.push(payload as GameNoticePayload);
    });
    room.on('presence_diff', (payload: unknown) => {
      this.presenceDiffs.push(payload as GameBot['presenceDiffs'][0]);
    });
    const reply = (await join(room)) as { slot: number; state_encoding: string };
    this.room = room;
    this.#slot = reply.slot;
    return reply;
  }

  /** Joins `user:<id>` on the same socket and negotiates a werift peer; resolves once both channels are open. */
  async openPeer(): Promise<BrowserPeer> {
    const channel = this.socket.channel(Topic.user(this.user.id));
    await join(channel);
    this.userChannel = channel;
    const peer = new BrowserPeer(channel);
    this.#listen(peer.state, (data) => this.#snapshot('webrtc', data));
    this.#listen(peer.events, (data) => {
      const raw: unknown = JSON.parse(data.toString());
      // The server's liveness pings share the channel: answer like the client, keep them out of `events`.
      const probe = parseLinkProbe(raw);
      if (probe) {
        if (probe.type === LinkProbe.ping) peer.events.send(JSON.stringify({ type: LinkProbe.pong, id: probe.id }));
        return;
      }
      this.events.push({ at: performance.now(), path: 'webrtc', value: raw as GameEventMessage });
    });
    this.peer = peer;
    await peer.offer();
    await peer.bothOpen();
    return peer;
  }

  /** Sends the next input on a path, timed for the RTT figures. */
  sendInput(bits: number, path: Path): number {
    const seq = ++this.#seq;
    const bytes = encodeInput({ seq, bits, clientTime: Math.floor(performance.now()) });
    this.#sentAt.set(seq, performance.now());
    if (path === 'webrtc') {
      if (!this.peer) throw new Error('no peer: call openPeer first');
      this.peer.state.send(Buffer.from(bytes));
    } else {
      if (!this.room) throw new Error('no room: call joinRoom first');
      this.room.push(GameChannelEvent.input, bytes.buffer);
    }
    return seq;
  }

  /** Sends inputs at 30 Hz for `count` inputs and waits until the last one is acknowledged. */
  async playFor(count: number, bits: number, path: Path): Promise<void> {
    for (let i = 0; i < count; i++) {
      this.sendInput(bits, path);
      await new Promise((resolve) => setTimeout(resolve, 1000 / 30));
    }
    await waitFor(() => this.lastSnapshot?.ackSeq === this.#seq, { what: `the ack of input ${this.#seq}` });
  }

  /** Closes the werift peer, if any (the socket is closed by `ClientSockets`). */
  async close(): Promise<void> {
    await this.peer?.close();
  }

  snapshotsVia(path: Path): SnapshotMessage[] {
    return this.snapshots.filter((s) => s.path === path).map((s) => s.value);
  }

  eventsVia(path: Path): GameEventMessage[] {
    return this.events.filter((e) => e.path === path).map((e) => e.value);
  }

  get lastSnapshot(): SnapshotMessage | undefined {
    return this.snapshots.at(-1)?.value;
  }

  /** This bot's own ship in a snapshot. */
  shipIn(snapshot: SnapshotMessage | undefined) {
    return snapshot?.players.find((player) => player.slot === this.#slot);
  }

  /** p50 / p99 of the RTTs measured on a path. */
  rttSummary(path: Path): { count: number; p50: number; p99: number } {
    const sorted = [...this.rtts[path]].sort((a, b) => a - b);
    return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  }

  #snapshot(path: Path, data: ArrayBuffer | Uint8Array): void {
    const at = performance.now();
    const decoded = decodeSnapshot(data);
    if (!decoded.ok) throw new Error(`bad snapshot on ${path}: ${decoded.error.message}`);
    const snapshot = decoded.value;
    this.snapshots.push({ at, path, value: snapshot });
    for (const [seq, sentAt] of this.#sentAt) {
      if (seq > snapshot.ackSeq) continue;
      this.rtts[path].push(at - sentAt);
      this.#sentAt.delete(seq);
    }
  }

  #listen(channel: RTCDataChannel, handler: (data: Buffer) => void): void {
    channel.onMessage.subscribe((data) => {
      const buffer = typeof data === 'string' ? Buffer.from(data) : data;
      this.bytes.webrtc += buffer.byteLength;
      handler(buffer);
    });
  }
}
