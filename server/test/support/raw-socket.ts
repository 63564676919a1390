import WebSocket from 'ws';

/** A frame as received: parsed JSON for text frames, bytes for binary frames. */
export type RawFrame =
  | { readonly kind: 'text'; readonly json: unknown; readonly text: string }
  | { readonly kind: 'binary'; readonly bytes: Buffer };

export const FRAME_TIMEOUT_MS = 2_000;

/**
 * A bare WebSocket speaking raw Phoenix frames, for conformance tests that must see exactly
 * what the server writes. Frames are queued; `next()` takes them in order.
 */
export class RawSocket {
  readonly ws: WebSocket;
  readonly #frames: RawFrame[] = [];
  #waiting: ((frame: RawFrame) => void) | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const frame: RawFrame = isBinary
        ? { kind: 'binary', bytes: data }
        : { kind: 'text', json: JSON.parse(data.toString('utf8')), text: data.toString('utf8') };
      const waiting = this.#waiting;
      if (waiting) {
        this.#waiting = null;
        waiting(frame);
      } else this.#frames.push(frame);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Opens a socket; rejects with the HTTP status when the handshake is refused. */
  static open(
    url: string,
    options: { protocols?: string[]; headers?: Record<string, string> } = {},
  ): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
      const socket = new RawSocket(ws);
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_request, response) => {
        reject(new HandshakeRefused(response.statusCode ?? 0));
        response.resume();
        ws.terminate();
      });
      ws.once('error', (error) => reject(error));
    });
  }

  /** Sends a JSON value as a text frame, a string verbatim, or bytes as a binary frame. */
  send(frame: unknown): void {
    if (Buffer.isBuffer(frame) || frame instanceof Uint8Array) this.ws.send(frame, { binary: true });
    else if (typeof frame === 'string') this.ws.send(frame);
    else this.ws.send(JSON.stringify(frame));
  }

  /** The next frame, or a rejection after the timeout. */
  next(timeoutMs = FRAME_TIMEOUT_MS): Promise<RawFrame> {
    const queued = this.#frames.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting = null;
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting = (frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
    });
  }

  /** The next frame, which must be text; its parsed JSON. */
  async nextJson(timeoutMs = FRAME_TIMEOUT_MS): Promise<unknown> {
    const frame = await this.next(timeoutMs);
    if (frame.kind !== 'text') throw new Error(`expected a text frame, got ${frame.bytes.length} binary bytes`);
    return frame.json;
  }

  /** Resolves when no frame arrives for `windowMs`; rejects with the frame otherwise. */
  async expectSilence(windowMs = 200): Promise<void> {
    const frame = await this.next(windowMs).catch(() => null);
    if (frame)
      throw new Error(`expected no frame, got ${frame.kind === 'text' ? frame.text : frame.bytes.toString('hex')}`);
  }

  close(): void {
    this.ws.close();
  }
}

export class HandshakeRefused extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`handshake refused with HTTP ${status}`);
    this.status = status;
  }
}
