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
} from './phoenix-frames.ts';

export type { Reply };

/** Far above a loopback round trip even with both cores busy. */
const REPLY_TIMEOUT_MS = 10_000;
/** Far above any simulated round trip with its retransmissions. */
const IMPAIRED_REPLY_TIMEOUT_MS = 15_000;
/** What phoenix.js sends; the server closes sockets idle for 60 s. */
const HEARTBEAT_MS = 30_000;
const OPEN_TIMEOUT_MS = 10_000;

export interface PhoenixWireOptions {
  /** Sent as `X-Forwarded-For` with the handshake: the address the server's limits see. */
  readonly forwardedFor?: string;
  /**
   * A simulated bad network every frame goes through after the handshake: one stream lane each way,
   * as the browser's `impairedWebSocketClass` does (the netcode bench).
   */
  readonly impairment?: NetworkImpairment;
}

/**
 * A bare Phoenix V2 client on `ws`, just enough for a bench bot: join, push with a reply, listen to
 * pushes, heartbeat, and the binary frames of the WebSocket fallback (a binary `input` push out,
 * binary `snapshot` pushes in; the layouts of docs/protocol.md §7). Much lighter than phoenix.js
 * (no rejoin, no reconnect, no presence), so the bot processes spend their CPU on what they
 * measure, like a browser would. It counts the bytes of every frame each way (Phoenix framing
 * included), times a heartbeat's round trip, and with `impairment` carries every frame through a
 * simulated bad network.
 */
export class PhoenixWire {
  /** Frame bytes sent and received. */
  bytesOut = 0;
  bytesIn = 0;
  readonly #ws: WebSocket;
  readonly #out: ImpairedLane | undefined;
  readonly #in: ImpairedLane | undefined;
  readonly #replyTimeoutMs: number;
  readonly #pending = new Map<string, (reply: Reply) => void>();
  readonly #handlers = new Map<string, (payload: unknown) => void>();
  readonly #binaryHandlers = new Map<string, (payload: Buffer) => void>();
  readonly #joinRefs = new Map<string, string>();
  readonly #heartbeat: NodeJS.Timeout;
  #nextRef = 1;
  #closed = false;
  /** Called once if the socket closes before `close()`. */
  onLost: (() => void) | undefined;

  private constructor(ws: WebSocket, impairment: NetworkImpairment | undefined) {
    this.#ws = ws;
    this.#out = impairment?.lane(LaneKind.stream);
    this.#in = impairment?.lane(LaneKind.stream);
    this.#replyTimeoutMs = impairment ? IMPAIRED_REPLY_TIMEOUT_MS : REPLY_TIMEOUT_MS;
    ws.on('message', (data: Buffer, isBinary) => {
      this.bytesIn += data.byteLength;
      const deliver = (): void => {
        if (isBinary) this.#binary(data);
        else this.#frame(decodeFrame(data.toString()));
      };
      if (this.#in) this.#in.carry(deliver);
      else deliver();
    });
    ws.on('close', () => {
      clearInterval(this.#heartbeat);
      if (!this.#closed) this.onLost?.();
      this.#closed = true;
      this.#out?.dispose();
      this.#in?.dispose();
      for (const resolve of this.#pending.values()) resolve({ status: 'closed', response: null });
      this.#pending.clear();
    });
    this.#heartbeat = setInterval(() => void this.push(SOCKET_TOPIC, Event.heartbeat, {}), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /** Opens `<socketEndpoint>/websocket?vsn=2.0.0&token=…`. */
  static open(socketEndpoint: string, token: string, options: PhoenixWireOptions = {}): Promise<PhoenixWire> {
    const { forwardedFor, impairment } = options;
    const ws = new WebSocket(
      withV2Query(webSocketUrl(socketEndpoint), { token }),
      forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {},
    );
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`socket not open within ${OPEN_TIMEOUT_MS} ms`));
      }, OPEN_TIMEOUT_MS);
      ws.once('error', (cause) => {
        clearTimeout(timer);
        reject(cause);
      });
      ws.once('open', () => {
        clearTimeout(timer);
        ws.on('error', () => undefined);
        resolve(new PhoenixWire(ws, impairment));
      });
    });
  }

  /** Joins `topic`; resolves with the join reply's response, rejects on anything but ok. */
  async join(topic: string, payload: object = {}): Promise<unknown> {
    const reply = await this.tryJoin(topic, payload);
    if (reply.status !== 'ok') throw new Error(`join of ${topic}: ${reply.status} ${JSON.stringify(reply.response)}`);
    return reply.response;
  }

  /** Joins `topic` and resolves with the reply, whatever it is (`timeout` / `closed` when none came). */
  tryJoin(topic: string, payload: object = {}): Promise<Reply> {
    const ref = String(this.#nextRef++);
    this.#joinRefs.set(topic, ref);
    return this.#send(ref, joinFrame(ref, topic, payload));
  }

  /** Leaves `topic` (no reply awaited). */
  leave(topic: string): void {
    void this.push(topic, Event.leave, {});
    this.#joinRefs.delete(topic);
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

  /** One handler per topic and event, for JSON pushes and broadcasts. */
  on(topic: string, event: string, handler: (payload: unknown) => void): void {
    this.#handlers.set(`${topic}\n${event}`, handler);
  }

  /** One handler per topic and event, for binary server pushes and broadcasts. */
  onBinary(topic: string, event: string, handler: (payload: Buffer) => void): void {
    this.#binaryHandlers.set(`${topic}\n${event}`, handler);
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
    this.#out?.dispose();
    this.#in?.dispose();
    this.#ws.terminate();
  }

  #write(data: string | Buffer): void {
    this.bytesOut += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    if (!this.#out) {
      this.#ws.send(data);
      return;
    }
    this.#out.carry(() => {
      if (!this.#closed && this.#ws.readyState === WebSocket.OPEN) this.#ws.send(data);
    });
  }

  /** Sends `frame` and resolves with the reply to `ref`. */
  #send(ref: string, frame: string): Promise<Reply> {
    if (this.#closed) return Promise.resolve({ status: 'closed', response: null });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(ref);
        resolve({ status: 'timeout', response: null });
      }, this.#replyTimeoutMs);
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
    this.#handlers.get(`${topic}\n${event}`)?.(payload);
  }

  /** Binary replies are dropped: nothing this bench pushes in binary gets one. */
  #binary(frame: Buffer): void {
    const message = decodeServerBinary(frame);
    if (message) this.#binaryHandlers.get(`${message.topic}\n${message.event}`)?.(message.payload);
  }
}
