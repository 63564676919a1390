import { type GameEventMessage, PlayerTransport, type SnapshotMessage, wireTimeDelta } from '@starcatch/shared';
import { type NetStore, NO_GAME_NET } from '../state/net-store.ts';
import { type GameConnection, Listeners } from './game-connection.ts';
import type { WebRtcLink } from './webrtc-link.ts';
import type { WebSocketLink } from './websocket-link.ts';

/** Inputs remembered for RTT: an input is acked within a few hundred ms, far fewer than this. */
const SENT_INPUT_MEMORY = 128;
/** Pings remembered for their pong: one a second, so a pong later than this many seconds is not waited for. */
const PING_MEMORY = 16;
/**
 * The network round trip shown is the median of this many answers: on a reliable path one lost
 * ping waits for a retransmission, and a ping figure that jumps to 500 ms for it tells nothing.
 */
const ROUND_TRIP_SAMPLES = 5;

export interface TransportSwitchOptions {
  /** Monotonic ms clock. */
  readonly now?: () => number;
  /**
   * How often to measure each path's network round trip (a ping on `events`, a Phoenix heartbeat on
   * the WebSocket); absent: not measured (tests).
   */
  readonly pingIntervalMs?: number;
}

/**
 * The `GameConnection` of one room: WebRTC while both DataChannels are open, the room channel otherwise,
 * switching either way as the channels open and close. Both paths are listened to all the time:
 * the server picks the path on its side, and during a switch messages arrive on both.
 *
 * Two round trips are measured per transport. Input → ack (`rtt`): the time from sending input
 * `seq` to the first snapshot acking it, so it includes up to one server tick and one snapshot
 * interval of waiting. The network round trip (`networkRtt`, what players call ping): a ping the
 * server answers at once, on `events` for WebRTC and the Phoenix heartbeat for the WebSocket; the
 * median of the last few, so one retransmitted ping does not make it jump.
 */
export class TransportSwitch implements GameConnection {
  readonly #websocket: WebSocketLink;
  readonly #webrtc: WebRtcLink | null;
  readonly #net: NetStore;
  readonly #now: () => number;
  readonly #snapshots = new Listeners<SnapshotMessage>();
  readonly #events = new Listeners<GameEventMessage>();
  readonly #sent = new Map<number, { at: number; transport: PlayerTransport }>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #pings = new Map<number, number>();
  readonly #roundTrips: Partial<Record<PlayerTransport, number[]>> = {};
  #pingTimer: ReturnType<typeof setInterval> | null = null;
  #pingId = 0;
  #lastAck = 0;

  /** `options` may also be just the clock (as tests pass it). */
  constructor(
    websocket: WebSocketLink,
    webrtc: WebRtcLink | null,
    net: NetStore,
    options: TransportSwitchOptions | (() => number) = {},
  ) {
    const { now = () => performance.now(), pingIntervalMs } =
      typeof options === 'function' ? { now: options } : options;
    this.#websocket = websocket;
    this.#webrtc = webrtc;
    this.#net = net;
    this.#now = now;
    const snapshot = (message: SnapshotMessage) => {
      this.#measure(message.ackSeq);
      this.#snapshots.emit(message);
    };
    const event = (message: GameEventMessage) => this.#events.emit(message);
    this.#unsubscribe.push(websocket.snapshots.add(snapshot), websocket.events.add(event));
    if (webrtc) {
      this.#unsubscribe.push(
        webrtc.snapshots.add(snapshot),
        webrtc.events.add(event),
        webrtc.changes.add(() => this.#publish()),
      );
    }
    this.#publish();
    if (pingIntervalMs !== undefined) {
      if (webrtc) this.#unsubscribe.push(webrtc.pongs.add((id) => this.#pong(id)));
      this.#pingTimer = setInterval(() => this.#ping(), pingIntervalMs);
      this.#ping();
    }
  }

  get transport(): PlayerTransport {
    return this.#webrtc?.isOpen ? PlayerTransport.webrtc : PlayerTransport.websocket;
  }

  /** Bytes in and out over both paths since the room was joined. */
  get bytes(): { readonly in: number; readonly out: number } {
    const rtc = this.#webrtc;
    return {
      in: this.#websocket.bytesIn + (rtc?.bytesIn ?? 0),
      out: this.#websocket.bytesOut + (rtc?.bytesOut ?? 0),
    };
  }

  sendInput(bytes: Uint8Array<ArrayBuffer>): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const seq = view.getUint32(2, true);
    const transport = this.transport;
    this.#sent.set(seq, { at: this.#now(), transport });
    if (this.#sent.size > SENT_INPUT_MEMORY) {
      const oldest = this.#sent.keys().next().value;
      if (oldest !== undefined) this.#sent.delete(oldest);
    }
    if (transport === PlayerTransport.webrtc && this.#webrtc?.send(bytes)) return;
    this.#websocket.send(bytes);
  }

  onSnapshot(listener: (snapshot: SnapshotMessage) => void): () => void {
    return this.#snapshots.add(listener);
  }

  onEvent(listener: (event: GameEventMessage) => void): () => void {
    return this.#events.add(listener);
  }

  /** Stops listening; the WebRTC link is the session's and outlives the room. */
  close(): void {
    if (this.#pingTimer !== null) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#websocket.close();
    this.#snapshots.clear();
    this.#events.clear();
    this.#net.setState(NO_GAME_NET);
  }

  #measure(ackSeq: number): void {
    if (ackSeq === 0 || wireTimeDelta(ackSeq, this.#lastAck) <= 0) return;
    this.#lastAck = ackSeq;
    const sent = this.#sent.get(ackSeq);
    if (!sent) return;
    const rtt = this.#now() - sent.at;
    const { rttByTransport } = this.#net.getState();
    this.#net.setState({ rtt, rttByTransport: { ...rttByTransport, [sent.transport]: rtt } });
  }

  /** Pings both paths; each answer updates that path's network round trip. */
  #ping(): void {
    const id = ++this.#pingId;
    if (this.#webrtc?.ping(id)) {
      this.#pings.set(id, this.#now());
      if (this.#pings.size > PING_MEMORY) this.#pings.delete(this.#pings.keys().next().value as number);
    }
    this.#websocket.ping((ms) => {
      if (this.#pingTimer !== null) this.#networkRtt(PlayerTransport.websocket, ms);
    });
  }

  #pong(id: number): void {
    const sentAt = this.#pings.get(id);
    if (sentAt === undefined) return;
    this.#pings.delete(id);
    this.#networkRtt(PlayerTransport.webrtc, this.#now() - sentAt);
  }

  #networkRtt(transport: PlayerTransport, ms: number): void {
    const samples = this.#roundTrips[transport] ?? [];
    samples.push(ms);
    if (samples.length > ROUND_TRIP_SAMPLES) samples.shift();
    this.#roundTrips[transport] = samples;
    const sorted = [...samples].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? ms;
    const networkRttByTransport = { ...this.#net.getState().networkRttByTransport, [transport]: median };
    this.#net.setState({ networkRttByTransport, networkRtt: networkRttByTransport[this.transport] ?? null });
  }

  #publish(): void {
    const networkRtt = this.#net.getState().networkRttByTransport[this.transport] ?? null;
    this.#net.setState({
      networkRtt,
      transport: this.transport,
      dataChannels: this.#webrtc?.channels ?? { events: false, state: false },
      rtcOpenMs: this.#webrtc?.lastOpenMs ?? null,
    });
  }
}
