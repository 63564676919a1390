import { type GameEventMessage, PlayerTransport, type SnapshotMessage, wireTimeDelta } from '@starcatch/shared';
import { type NetStore, NO_GAME_NET } from '../state/net-store.ts';
import { type GameLink, Listeners } from './game-link.ts';
import type { WebRtcLink } from './webrtc-link.ts';
import type { WebSocketLink } from './websocket-link.ts';

/** Inputs remembered for RTT: an input is acked within a few hundred ms, far fewer than this. */
const SENT_INPUT_MEMORY = 128;

/**
 * The `GameLink` of one room: WebRTC while both DataChannels are open, the room channel otherwise,
 * switching either way as the channels open and close. Both paths are listened to all the time:
 * the server picks the path on its side, and during a switch messages arrive on both.
 *
 * RTT is measured per transport from the inputs: the time from sending input `seq` to the first
 * snapshot acking it (so it includes up to one server tick and one snapshot interval of waiting).
 */
export class TransportSwitch implements GameLink {
  readonly #websocket: WebSocketLink;
  readonly #webrtc: WebRtcLink | null;
  readonly #net: NetStore;
  readonly #now: () => number;
  readonly #snapshots = new Listeners<SnapshotMessage>();
  readonly #events = new Listeners<GameEventMessage>();
  readonly #sent = new Map<number, { at: number; transport: PlayerTransport }>();
  readonly #unsubscribe: (() => void)[] = [];
  #lastAck = 0;

  constructor(websocket: WebSocketLink, webrtc: WebRtcLink | null, net: NetStore, now = () => performance.now()) {
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

  #publish(): void {
    this.#net.setState({
      transport: this.transport,
      dataChannels: this.#webrtc?.channels ?? { events: false, state: false },
      rtcOpenMs: this.#webrtc?.lastOpenMs ?? null,
    });
  }
}
