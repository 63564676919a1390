import WebSocket from 'ws';

/**
 * A bare Phoenix V2 JSON client on `ws`, just enough for a bench bot: join, push with a reply,
 * listen to pushes, heartbeat. Much lighter than phoenix.js (no rejoin, no reconnect, no
 * presence), so the bot processes spend their CPU on WebRTC, like a browser would.
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

export class PhoenixWire {
  readonly #ws: WebSocket;
  readonly #pending = new Map<string, (reply: Reply) => void>();
  readonly #handlers = new Map<string, (payload: unknown) => void>();
  readonly #joinRefs = new Map<string, string>();
  readonly #heartbeat: NodeJS.Timeout;
  #nextRef = 1;
  #closed = false;
  /** Called once if the socket closes before `close()`. */
  onLost: (() => void) | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data, isBinary) => {
      // Binary frames are WebSocket-path snapshots: not this bench's path.
      if (!isBinary) this.#frame(JSON.parse(data.toString()) as Frame);
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

  /** Opens `<socketUrl>/websocket?vsn=2.0.0&token=…`. */
  static open(socketUrl: string, token: string): Promise<PhoenixWire> {
    const ws = new WebSocket(`${socketUrl}/websocket?vsn=2.0.0&token=${encodeURIComponent(token)}`);
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => {
        ws.off('error', reject);
        ws.on('error', () => undefined);
        resolve(new PhoenixWire(ws));
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

  /** One handler per topic and event. */
  on(topic: string, event: string, handler: (payload: unknown) => void): void {
    this.#handlers.set(`${topic}\n${event}`, handler);
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
}
