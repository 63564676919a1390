import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '../catalog.ts';
import type { Frame } from '../message.ts';
import type { PhoenixSocket } from '../phoenix-socket.ts';
import type { Serializer } from '../serializers/serializer.ts';
import type { ConnectionLimits, SocketConnection, Transport } from '../socket-connection.ts';

/** Where a socket's link lives on the `ws` object, so its listeners can be shared functions. */
const LINK = Symbol('phoenix.websocketLink');
type LinkedWebSocket = WebSocket & { [LINK]: WebSocketLink<object> };

/**
 * One open WebSocket and the Phoenix connection on it: the connection's transport, and the
 * socket's last sign of life for the idle sweep. Idle sockets are what a server holds by the
 * thousand, so a link is one small object: the `ws` listeners are module functions that find it
 * through the socket (no closures per socket), and silence is found by one sweep per transport
 * instead of a timer per socket.
 */
export class WebSocketLink<Assigns extends object> implements Transport {
  readonly connection: SocketConnection<Assigns>;
  /** `performance.now()` of the last frame received. */
  lastSeen = performance.now();
  readonly #ws: WebSocket;
  readonly #links: IdleSweep;

  constructor(
    ws: WebSocket,
    socket: PhoenixSocket<Assigns>,
    serializer: Serializer,
    assigns: Assigns,
    limits: ConnectionLimits,
    links: IdleSweep,
  ) {
    this.#ws = ws;
    this.#links = links;
    this.connection = socket.open(serializer, this, assigns, limits);
    (ws as LinkedWebSocket)[LINK] = this as WebSocketLink<object>;
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
    links.add(this as WebSocketLink<object>);
  }

  send(frame: Frame): void {
    if (typeof frame === 'string') this.#ws.send(utf8Of(frame), TEXT_FRAME);
    else this.#ws.send(frame);
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  closed(): void {
    this.#links.delete(this as WebSocketLink<object>);
    this.connection.transportClosed();
  }
}

const linkOf = (ws: WebSocket): WebSocketLink<object> => (ws as LinkedWebSocket)[LINK];

const TEXT_FRAME = { binary: false } as const;
let lastText = '';
let lastUtf8: Buffer = Buffer.alloc(0);

/**
 * A text frame's UTF-8 bytes, encoded once per broadcast: the fan-out hands the same string to every
 * subscriber in a row, and `ws` would otherwise encode it again for each of them.
 */
function utf8Of(text: string): Buffer {
  if (text !== lastText) {
    lastText = text;
    lastUtf8 = Buffer.from(text, 'utf8');
  }
  return lastUtf8;
}

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const link = linkOf(this);
  link.lastSeen = performance.now();
  link.connection.receive(toBytes(data), isBinary);
}

function onClose(this: WebSocket): void {
  linkOf(this).closed();
}

function onError(this: WebSocket, error: Error): void {
  const { connection } = linkOf(this);
  connection.logger.warn({ err: error, connection: connection.id }, 'websocket error');
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** Checks per idle timeout: a silent socket is closed between 1 and 1.25 timeouts after its last frame. */
const SWEEPS_PER_TIMEOUT = 4;

/**
 * The open links of one transport, swept for silence: a link that has received nothing for the
 * idle timeout is closed with 1002. The sweep's timer is unref'd and runs only while links exist.
 */
export class IdleSweep {
  readonly #links = new Set<WebSocketLink<object>>();
  readonly #timeoutMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  add(link: WebSocketLink<object>): void {
    this.#links.add(link);
    this.#timer ??= setInterval(() => this.#sweep(), this.#timeoutMs / SWEEPS_PER_TIMEOUT).unref();
  }

  delete(link: WebSocketLink<object>): void {
    this.#links.delete(link);
    if (this.#links.size > 0 || !this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    const silentSince = performance.now() - this.#timeoutMs;
    for (const link of this.#links) {
      if (link.lastSeen <= silentSince) link.connection.close(CloseCode.idleTimeout, 'idle timeout');
    }
  }
}
