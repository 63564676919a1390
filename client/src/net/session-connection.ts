import type { LobbyStore } from '../state/lobby-store.ts';
import type { NetStore } from '../state/net-store.ts';
import { GameSocket } from './game-socket.ts';
import { LobbyChannel } from './lobby-channel.ts';
import type { NetTiming } from './timing.ts';

export interface SessionConnectionOptions {
  readonly endpoint: string;
  readonly token: string;
  readonly net: NetStore;
  readonly lobby: LobbyStore;
  readonly timing: NetTiming;
  readonly probeServer: () => Promise<boolean>;
  /** The server keeps refusing the token: the connection has closed itself. */
  readonly onRefused: () => void;
}

/** The session was closed (signed out, or the token was refused) before the lobby was joined. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
}

/** Everything networked for one signed-in token: its socket and the channels joined on it. */
export class SessionConnection {
  readonly #socket: GameSocket;
  readonly #lobby: LobbyChannel;
  readonly #ready: Promise<void>;
  #rejectReady: (reason: Error) => void = () => {};
  #closed = false;

  constructor(options: SessionConnectionOptions) {
    this.#socket = new GameSocket({
      endpoint: options.endpoint,
      token: options.token,
      net: options.net,
      timing: options.timing,
      probeServer: options.probeServer,
      onRefused: () => {
        this.close(new ConnectionClosedError('The server refused the session token.'));
        options.onRefused();
      },
    });
    this.#lobby = new LobbyChannel(this.#socket, options.lobby);
    const closed = new Promise<never>((_, reject) => {
      this.#rejectReady = reject;
    });
    this.#ready = Promise.race([this.#lobby.joined, closed]);
    this.#ready.catch(() => {});
    this.#socket.connect();
  }

  /** Resolves once the lobby is joined; rejects if the join fails or the connection closes first. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  close(reason: Error = new ConnectionClosedError('Signed out.')): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#rejectReady(reason);
    this.#lobby.leave();
    this.#socket.stop();
  }
}
