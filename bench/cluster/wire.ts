import WebSocket from 'ws';

/**
 * A bare Phoenix V2 client on `ws` for the cluster bots: `webrtc/phoenix-wire.ts` plus the binary
 * frames of the WebSocket fallback (a binary `input` push out, binary `snapshot` pushes in; the
 * layouts of docs/protocol.md §7). No rejoin, no reconnect, no presence.
 */
type Frame = [string | null, string | null, string, string, unknown];

export interface Reply {
  readonly status: string;
  readonly response: unknown;
}

/** Far above a loopback round trip even with both cores busy. */
const REPLY_TIMEOUT_MS = 10_000;
/** What phoenix.js sends; the server closes sockets idle for 60 s. */
const HEARTBEAT_MS = 30_000;
const OPEN_TIMEOUT_MS = 10_000;
const BINARY_PUSH = 0;

export class ClusterWire {
  readonly #ws: WebSocket;
  readonly #pending = new Map<string, (reply: Reply) => void>();
  readonly #handlers = new Map<string, (payload: unknown) => void>();
  readonly #binaryHandlers = new Map<string, (payload: Buffer) => void>();
  readonly #joinRefs = new Map<string, string>();
  readonly #heartbeat: NodeJS.Timeout;
  #nextRef = 1;
  #closed = false;
  /** Called once if the socket closes before `close()`. */
  onLost: (() => void) | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.#binary(data);
      else this.#frame(JSON.parse(data.toString()) as Frame);
    });
    ws.on('close', () => {
      clearInterval(this.#heartbeat);
      if (!this.#closed) this.onLost?.();
      this.#closed = true;
      for (const resolve of this.#pending.values()) resolve({ status: 'closed', response: null });
      this.#pending.clear();
    });
    this.#heartbeat = setInterval(() => void this.push('phoenix', 'heartbeat', {}), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /** Opens `<socketEndpoint>/websocket?vsn=2.0.0&token=…`. */
  static open(socketEndpoint: string, token: string): Promise<ClusterWire> {
    const ws = new WebSocket(`${socketEndpoint}/websocket?vsn=2.0.0&token=${encodeURIComponent(token)}`);
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
        resolve(new ClusterWire(ws));
      });
    });
  }

  /** Joins `topic`; resolves with the join reply's response, rejects on anything but ok. */
  async join(topic: string, payload: object = {}): Promise<unknown> {
    const ref = String(this.#nextRef++);
    this.#joinRefs.set(topic, ref);
    const reply = await this.#send(ref, ref, topic, 'phx_join', payload);
    if (reply.status !== 'ok') throw new Error(`join of ${topic}: ${reply.status} ${JSON.stringify(reply.response)}`);
    return reply.response;
  }

  /** Pushes an event and resolves with its reply (status `timeout` or `closed` when none came). */
  push(topic: string, event: string, payload: object): Promise<Reply> {
    const ref = String(this.#nextRef++);
    return this.#send(this.#joinRefs.get(topic) ?? null, ref, topic, event, payload);
  }

  /** A binary push with no ref (nothing is replied to it): kind 0 with four header lengths. */
  pushBinary(topic: string, event: string, payload: Uint8Array): void {
    if (this.#closed) return;
    const joinRef = Buffer.from(this.#joinRefs.get(topic) ?? '');
    const topicBytes = Buffer.from(topic);
    const eventBytes = Buffer.from(event);
    const header = Buffer.from([BINARY_PUSH, joinRef.length, 0, topicBytes.length, eventBytes.length]);
    this.#ws.send(Buffer.concat([header, joinRef, topicBytes, eventBytes, payload]), { binary: true });
  }

  /** One handler per topic and event, for JSON pushes and broadcasts. */
  on(topic: string, event: string, handler: (payload: unknown) => void): void {
    this.#handlers.set(`${topic}\n${event}`, handler);
  }

  /** One handler per topic and event, for binary server pushes and broadcasts. */
  onBinary(topic: string, event: string, handler: (payload: Buffer) => void): void {
    this.#binaryHandlers.set(`${topic}\n${event}`, handler);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#ws.terminate();
  }

  #send(joinRef: string | null, ref: string, topic: string, event: string, payload: object): Promise<Reply> {
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
      this.#ws.send(JSON.stringify([joinRef, ref, topic, event, payload]));
    });
  }

  #frame([, ref, topic, event, payload]: Frame): void {
    if (event === 'phx_reply' && ref !== null) {
      const resolve = this.#pending.get(ref);
      if (!resolve) return;
      this.#pending.delete(ref);
      const { status, response } = payload as Reply;
      resolve({ status, response });
      return;
    }
    this.#handlers.get(`${topic}\n${event}`)?.(payload);
  }

  /** Server push `0 · len(join_ref) · len(topic) · len(event) · …` or broadcast `2 · len(topic) · len(event) · …`. */
  #binary(frame: Buffer): void {
    const kind = frame[0];
    let at: number;
    let topicLength: number;
    let eventLength: number;
    if (kind === BINARY_PUSH) {
      at = 4 + (frame[1] ?? 0);
      topicLength = frame[2] ?? 0;
      eventLength = frame[3] ?? 0;
    } else if (kind === 2) {
      at = 3;
      topicLength = frame[1] ?? 0;
      eventLength = frame[2] ?? 0;
    } else {
      return; // Binary replies: nothing this bench pushes gets one.
    }
    const topic = frame.toString('utf8', at, at + topicLength);
    const event = frame.toString('utf8', at + topicLength, at + topicLength + eventLength);
    this.#binaryHandlers.get(`${topic}\n${event}`)?.(frame.subarray(at + topicLength + eventLength));
  }
}
