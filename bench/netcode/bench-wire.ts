import { type ImpairedLane, LaneKind, type NetworkImpairment } from '@starcatch/shared';
import WebSocket from 'ws';
import {
  decodeFrame,
  decodeServerBinary,
  Event,
  encodeBinaryPush,
  encodeFrame,
  joinFrame,
  type Reply,
  SOCKET_TOPIC,
  type V2Frame,
  webSocketUrl,
  withV2Query,
} from '../support/phoenix-frames.ts';

/** Far above any simulated round trip with its retransmissions. */
const REPLY_TIMEOUT_MS = 15_000;
/** What phoenix.js sends; the server closes sockets idle for 60 s. */
const HEARTBEAT_MS = 30_000;

/**
 * The netcode bench's Phoenix V2 client: `bench/support/phoenix-wire.ts` plus what this bench
 * measures through. Every frame goes through a simulated bad network (one stream lane each way, as
 * the browser's `impairedWebSocketClass` does), every frame's bytes are counted (Phoenix framing
 * included), and a heartbeat's round trip can be timed. Frames are written and read with
 * `bench/support/phoenix-frames.ts`, so names and layouts come from the server's library.
 */
export class BenchWire {
  /** Frame bytes sent and received. */
  bytesOut = 0;
  bytesIn = 0;
  readonly #ws: WebSocket;
  readonly #out: ImpairedLane;
  readonly #in: ImpairedLane;
  readonly #pending = new Map<string, (reply: Reply) => void>();
  readonly #text = new Map<string, (payload: unknown) => void>();
  readonly #binary = new Map<string, (payload: Uint8Array) => void>();
  readonly #joinRefs = new Map<string, string>();
  readonly #heartbeat: NodeJS.Timeout;
  #nextRef = 1;
  #closed = false;

  private constructor(ws: WebSocket, impairment: NetworkImpairment) {
    this.#ws = ws;
    this.#out = impairment.lane(LaneKind.stream);
    this.#in = impairment.lane(LaneKind.stream);
    ws.on('message', (data: Buffer, isBinary) => {
      this.bytesIn += data.byteLength;
      this.#in.carry(() => {
        if (isBinary) this.#binaryFrame(data);
        else this.#frame(decodeFrame(data.toString()));
      });
    });
    ws.on('close', () => {
      clearInterval(this.#heartbeat);
      this.#closed = true;
      this.#out.dispose();
      this.#in.dispose();
      for (const resolve of this.#pending.values()) resolve({ status: 'closed', response: null });
      this.#pending.clear();
    });
    this.#heartbeat = setInterval(() => void this.ping(), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /** Opens the socket's WebSocket transport with `token` (the handshake itself is not impaired). */
  static open(socketEndpoint: string, token: string, impairment: NetworkImpairment): Promise<BenchWire> {
    const ws = new WebSocket(withV2Query(webSocketUrl(socketEndpoint), { token }));
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => {
        ws.off('error', reject);
        ws.on('error', () => undefined);
        resolve(new BenchWire(ws, impairment));
      });
    });
  }

  /** Joins `topic`; resolves with the join reply's response, rejects on anything but ok. */
  async join(topic: string, payload: object = {}): Promise<unknown> {
    const ref = String(this.#nextRef++);
    this.#joinRefs.set(topic, ref);
    const reply = await this.#send(ref, joinFrame(ref, topic, payload));
    if (reply.status !== 'ok') throw new Error(`join of ${topic}: ${reply.status} ${JSON.stringify(reply.response)}`);
    return reply.response;
  }

  /** Pushes an event and resolves with its reply (status `timeout` or `closed` when none came). */
  push(topic: string, event: string, payload: object): Promise<Reply> {
    const ref = String(this.#nextRef++);
    return this.#send(ref, encodeFrame(this.#joinRefs.get(topic) ?? null, ref, topic, event, payload));
  }

  /** A binary push with no ref (the game's `input`: nothing is replied to it). */
  pushBinary(topic: string, event: string, payload: Uint8Array): void {
    if (!this.#closed) this.#write(encodeBinaryPush(this.#joinRefs.get(topic) ?? '', topic, event, payload));
  }

  /** One handler per topic and event, for JSON pushes. */
  on(topic: string, event: string, handler: (payload: unknown) => void): void {
    this.#text.set(`${topic}\n${event}`, handler);
  }

  /** One handler per topic and event, for binary pushes. */
  onBinary(topic: string, event: string, handler: (payload: Uint8Array) => void): void {
    this.#binary.set(`${topic}\n${event}`, handler);
  }

  /** A Phoenix heartbeat; resolves with its round trip in ms (NaN when it got no reply). */
  async ping(): Promise<number> {
    const sentAt = performance.now();
    const reply = await this.push(SOCKET_TOPIC, Event.heartbeat, {});
    return reply.status === 'ok' ? performance.now() - sentAt : Number.NaN;
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#out.dispose();
    this.#in.dispose();
    this.#ws.terminate();
  }

  #write(data: string | Buffer): void {
    this.bytesOut += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    this.#out.carry(() => {
      if (!this.#closed && this.#ws.readyState === WebSocket.OPEN) this.#ws.send(data);
    });
  }

  #send(ref: string, frame: string): Promise<Reply> {
    if (this.#closed) return Promise.resolve({ status: 'closed', response: null });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(ref);
        resolve({ status: 'timeout', response: null });
      }, REPLY_TIMEOUT_MS);
      this.#pending.set(ref, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.#write(frame);
    });
  }

  #frame([, ref, topic, event, payload]: V2Frame): void {
    if (event === Event.reply && ref !== null) {
      const resolve = this.#pending.get(ref);
      if (!resolve) return;
      this.#pending.delete(ref);
      const { status, response } = payload as Reply;
      resolve({ status, response });
      return;
    }
    this.#text.get(`${topic}\n${event}`)?.(payload);
  }

  #binaryFrame(frame: Buffer): void {
    const message = decodeServerBinary(frame);
    if (message) this.#binary.get(`${message.topic}\n${message.event}`)?.(message.payload);
  }
}
