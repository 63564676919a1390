import {
  decodeSnapshot,
  GameChannelEvent,
  type GameEventMessage,
  type ImpairedLane,
  LaneKind,
  LinkProbe,
  type NetworkImpairment,
  type PlayerTransport,
  parseGameEvent,
  parseLinkProbe,
  type SnapshotMessage,
} from '@starcatch/shared';
import { type GameConnection, Listeners } from '../../client/src/net/game-connection.ts';
import type { LoopbackOfferer } from '../../server/test/support/loopback-offerer.ts';
import type { PhoenixWire } from '../support/phoenix-wire.ts';

/**
 * The client's `GameConnection` for a headless bot, on one path, with what the bench measures about it:
 * input → ack times, the network round trip, and the bytes each way. Both paths go through the
 * bot's simulated bad network exactly as a tab's would.
 */
export interface BotLink extends GameConnection {
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Input → acknowledging snapshot of every input acked so far, ms. */
  readonly ackTimes: number[];
  /** Sends one probe of the network round trip; the answer lands in `roundTrips`. */
  probe(): void;
  readonly roundTrips: number[];
  close(): void;
}

/** Times inputs to their acks: shared by both paths. */
class AckTimer {
  readonly times: number[] = [];
  readonly #sentAt = new Map<number, number>();
  #lastAck = 0;

  sent(bytes: Uint8Array): void {
    const seq = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(2, true);
    this.#sentAt.set(seq, performance.now());
  }

  snapshot(snapshot: SnapshotMessage): void {
    if (snapshot.ackSeq <= this.#lastAck) return;
    for (const [seq, at] of this.#sentAt) {
      if (seq > snapshot.ackSeq) break;
      // The ack covers every input up to it: each is timed to the first snapshot that covers it.
      this.times.push(performance.now() - at);
      this.#sentAt.delete(seq);
    }
    this.#lastAck = snapshot.ackSeq;
  }
}

/** Game traffic as binary `input` / `snapshot` pushes and `game:event` on `room:<id>`. */
export class WebSocketBotLink implements BotLink {
  readonly transport: PlayerTransport = 'websocket';
  readonly roundTrips: number[] = [];
  readonly #wire: PhoenixWire;
  readonly #topic: string;
  readonly #snapshots = new Listeners<SnapshotMessage>();
  readonly #events = new Listeners<GameEventMessage>();
  readonly #acks = new AckTimer();

  constructor(wire: PhoenixWire, topic: string) {
    this.#wire = wire;
    this.#topic = topic;
    wire.onBinary(topic, GameChannelEvent.snapshot, (bytes) => {
      const decoded = decodeSnapshot(bytes);
      if (!decoded.ok) return;
      this.#acks.snapshot(decoded.value);
      this.#snapshots.emit(decoded.value);
    });
    wire.on(topic, GameChannelEvent.event, (payload) => {
      const parsed = parseGameEvent(payload);
      if (parsed.ok) this.#events.emit(parsed.event);
    });
  }

  get bytesIn(): number {
    return this.#wire.bytesIn;
  }

  get bytesOut(): number {
    return this.#wire.bytesOut;
  }

  get ackTimes(): number[] {
    return this.#acks.times;
  }

  sendInput(bytes: Uint8Array<ArrayBuffer>): void {
    this.#acks.sent(bytes);
    this.#wire.pushBinary(this.#topic, GameChannelEvent.input, bytes);
  }

  onSnapshot(listener: (snapshot: SnapshotMessage) => void): () => void {
    return this.#snapshots.add(listener);
  }

  onEvent(listener: (event: GameEventMessage) => void): () => void {
    return this.#events.add(listener);
  }

  probe(): void {
    void this.#wire.ping().then((ms) => {
      if (Number.isFinite(ms)) this.roundTrips.push(ms);
    });
  }

  close(): void {
    this.#snapshots.clear();
    this.#events.clear();
  }
}

/**
 * Game traffic on the two DataChannels of a werift offerer: `state` through datagram lanes (lost,
 * reordered), `events` through stream lanes, as `impairDataChannel` does in the browser.
 */
export class DataChannelBotLink implements BotLink {
  readonly transport: PlayerTransport = 'webrtc';
  readonly roundTrips: number[] = [];
  bytesIn = 0;
  bytesOut = 0;
  readonly #peer: LoopbackOfferer;
  readonly #lanes: { readonly [key in 'stateOut' | 'stateIn' | 'eventsOut' | 'eventsIn']: ImpairedLane };
  readonly #snapshots = new Listeners<SnapshotMessage>();
  readonly #events = new Listeners<GameEventMessage>();
  readonly #acks = new AckTimer();
  readonly #pings = new Map<number, number>();
  #pingId = 0;
  #closed = false;

  constructor(peer: LoopbackOfferer, impairment: NetworkImpairment) {
    this.#peer = peer;
    this.#lanes = {
      stateOut: impairment.lane(LaneKind.datagram),
      stateIn: impairment.lane(LaneKind.datagram),
      eventsOut: impairment.lane(LaneKind.stream),
      eventsIn: impairment.lane(LaneKind.stream),
    };
    peer.state.onMessage.subscribe((data) => {
      if (typeof data === 'string') return;
      this.bytesIn += data.byteLength;
      this.#lanes.stateIn.carry(() => {
        const decoded = decodeSnapshot(data);
        if (!decoded.ok || this.#closed) return;
        this.#acks.snapshot(decoded.value);
        this.#snapshots.emit(decoded.value);
      });
    });
    peer.events.onMessage.subscribe((data) => {
      if (typeof data !== 'string') return;
      this.bytesIn += Buffer.byteLength(data);
      this.#lanes.eventsIn.carry(() => this.#text(data));
    });
  }

  get ackTimes(): number[] {
    return this.#acks.times;
  }

  sendInput(bytes: Uint8Array<ArrayBuffer>): void {
    this.#acks.sent(bytes);
    this.bytesOut += bytes.byteLength;
    const copy = Buffer.from(bytes);
    this.#lanes.stateOut.carry(() => {
      if (!this.#closed && this.#peer.state.readyState === 'open') this.#peer.state.send(copy);
    });
  }

  onSnapshot(listener: (snapshot: SnapshotMessage) => void): () => void {
    return this.#snapshots.add(listener);
  }

  onEvent(listener: (event: GameEventMessage) => void): () => void {
    return this.#events.add(listener);
  }

  /** A ping on `events`, which the server answers at once (as the tab's `TransportSwitch` does). */
  probe(): void {
    const id = ++this.#pingId;
    this.#pings.set(id, performance.now());
    this.#sendText(JSON.stringify({ type: LinkProbe.ping, id }));
  }

  close(): void {
    this.#closed = true;
    for (const lane of Object.values(this.#lanes)) lane.dispose();
    this.#snapshots.clear();
    this.#events.clear();
  }

  #sendText(text: string): void {
    this.bytesOut += Buffer.byteLength(text);
    this.#lanes.eventsOut.carry(() => {
      if (!this.#closed && this.#peer.events.readyState === 'open') this.#peer.events.send(text);
    });
  }

  #text(data: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      return;
    }
    const probe = parseLinkProbe(raw);
    if (probe?.type === LinkProbe.ping) {
      this.#sendText(JSON.stringify({ type: LinkProbe.pong, id: probe.id }));
      return;
    }
    if (probe?.type === LinkProbe.pong) {
      const sentAt = this.#pings.get(probe.id);
      this.#pings.delete(probe.id);
      if (sentAt !== undefined) this.roundTrips.push(performance.now() - sentAt);
      return;
    }
    const parsed = parseGameEvent(raw);
    if (parsed.ok) this.#events.emit(parsed.event);
  }
}
