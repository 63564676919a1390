import type { NetworkImpairment } from '@starcatch/shared';
import { type Channel, LongPoll, Socket } from 'phoenix';
import type { NetStore } from '../state/net-store.ts';
import { impairedWebSocketClass } from './impaired-link.ts';
import type { SessionCheck } from './session-api.ts';
import { SocketRefusalDetector } from './socket-refusal.ts';
import type { NetTiming } from './timing.ts';

export interface GameSocketOptions {
  /** `/socket` (same origin) or a full `ws://…/socket` URL. */
  readonly endpoint: string;
  readonly token: string;
  readonly net: NetStore;
  readonly timing: NetTiming;
  /** Asks the server about the token after a failed attempt; see `SocketRefusalDetector`. */
  readonly checkSession: () => Promise<SessionCheck>;
  /** Called once when the server keeps refusing the token; the socket has stopped by then. */
  readonly onRefused: () => void;
  /** The tab's simulated bad network: every frame of the socket goes through it (see impaired-link.ts). */
  readonly impairment?: NetworkImpairment;
}

/** phoenix.js 1.8 members that `@types/phoenix` (written for 1.6) does not declare. */
interface SocketInternals {
  /** The transport of the current connection (a WebSocket or a `LongPoll`); null between connections. */
  readonly conn: object | null;
  /** Read by `connect()`: unset, a reconnect tries the WebSocket alone. */
  longPollFallbackMs: number | undefined;
}

/**
 * The one Phoenix socket of a signed-in session. It keeps the net store's status current and
 * stops for good when the server refuses the token. Channels are opened through it; nothing
 * outside `net/` sees the phoenix.js objects.
 */
export class GameSocket {
  readonly #socket: Socket;
  readonly #net: NetStore;
  readonly #refusal: SocketRefusalDetector;
  #isOpen = false;
  /** Whether the connection whose `close` is still to come had opened; its close is no failed attempt. */
  #connectionOpened = false;
  #stopped = false;

  constructor(options: GameSocketOptions) {
    const { timing } = options;
    this.#net = options.net;
    this.#socket = new Socket(options.endpoint, {
      // As a subprotocol (`authToken`) rather than the `token` param: the server accepts both, and
      // this way the token never appears in a URL, so request logs and proxies do not record it.
      authToken: options.token,
      reconnectAfterMs: timing.reconnectAfterMs,
      rejoinAfterMs: timing.rejoinAfterMs,
      heartbeatIntervalMs: timing.heartbeatIntervalMs,
      timeout: timing.pushTimeoutMs,
      // WebSocket first; LongPoll when the WebSocket fails or has not answered within this long.
      longPollFallbackMs: timing.longPollFallbackMs,
      ...(options.impairment && { transport: impairedWebSocketClass(options.impairment) }),
    });
    this.#refusal = new SocketRefusalDetector({
      checkSession: options.checkSession,
      onRefused: () => {
        this.stop();
        options.onRefused();
      },
      onThrottled: (reason) => {
        if (this.#net.getState().socketRefusal !== reason) this.#net.setState({ socketRefusal: reason });
      },
    });
    this.#socket.onOpen(() => this.#opened());
    // A failed upgrade fires `error` then `close`, so failed attempts are counted on `close`; an
    // open socket that breaks may fire either event first.
    this.#socket.onError(() => {
      if (this.#isOpen) this.#dropped();
    });
    this.#socket.onClose(() => {
      if (this.#connectionOpened) {
        this.#connectionOpened = false;
        if (this.#isOpen) this.#dropped();
      } else if (!this.#stopped) {
        this.#refusal.failedToOpen();
      }
    });
  }

  connect(): void {
    if (this.#stopped) return;
    this.#net.setState({ status: 'connecting' });
    this.#socket.connect();
  }

  /**
   * Opens (does not join) a channel on this socket. Params given as a function are read again for
   * every rejoin, which is how a channel passes the last message it saw after a reconnect.
   */
  channel(topic: string, params: object | (() => object) = {}): Channel {
    return this.#socket.channel(topic, params);
  }

  /**
   * Sends a Phoenix heartbeat now and calls `callback` with its round trip in ms when the reply
   * comes: the WebSocket's network round trip. False (and no callback) while the socket is not open.
   */
  ping(callback: (ms: number) => void): boolean {
    return this.#socket.ping(callback);
  }

  /** Leaves every channel and closes the socket for good; the status goes back to `idle`. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#refusal.stop();
    this.#socket.disconnect();
    this.#net.setState({ status: 'idle', socketRefusal: null, socketTransport: null });
  }

  #opened(): void {
    if (this.#stopped) return;
    this.#isOpen = true;
    this.#connectionOpened = true;
    this.#refusal.opened();
    const internals = this.#socket as unknown as SocketInternals;
    const longPoll = internals.conn instanceof LongPoll;
    this.#net.setState({ status: 'open', socketTransport: longPoll ? 'longpoll' : 'websocket' });
    // phoenix.js falls back on any failed WebSocket attempt, so after a server restart every tab
    // would go on over LongPoll. A WebSocket that has answered a ping works in this browser: later
    // failures are the server's or the network's, and reconnects retry the WebSocket.
    if (!longPoll && internals.longPollFallbackMs !== undefined) {
      this.#socket.ping(() => {
        internals.longPollFallbackMs = undefined;
      });
    }
  }

  #dropped(): void {
    this.#isOpen = false;
    if (!this.#stopped) this.#net.setState({ status: 'reconnecting' });
  }
}
