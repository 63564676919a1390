/**
 * Tells a refused session token from a server that is down. Browsers report both as the same
 * WebSocket `error` (the HTTP 403 of the upgrade is hidden from pages), so after each attempt that
 * failed to open we ask the server's health route: if the server answers while our socket keeps
 * failing, it is refusing us. It takes `strikes` such attempts in a row, and any open in between
 * starts the count again.
 */
export class SocketRefusalDetector {
  readonly #probeServer: () => Promise<boolean>;
  readonly #strikes: number;
  readonly #onRefused: () => void;
  #count = 0;
  #probing = false;
  /** Bumped on every open, so a probe that started before it cannot count afterwards. */
  #epoch = 0;
  #stopped = false;

  constructor(options: { probeServer: () => Promise<boolean>; strikes: number; onRefused: () => void }) {
    this.#probeServer = options.probeServer;
    this.#strikes = Math.max(1, options.strikes);
    this.#onRefused = options.onRefused;
  }

  /** The socket opened: the token is fine. */
  opened(): void {
    this.#epoch++;
    this.#count = 0;
  }

  /** An attempt ended before the socket opened. Attempts during a running probe are not counted. */
  failedToOpen(): void {
    if (this.#probing || this.#stopped) return;
    this.#probing = true;
    const epoch = this.#epoch;
    this.#probeServer().then(
      (up) => this.#settle(epoch, up),
      () => this.#settle(epoch, false),
    );
  }

  stop(): void {
    this.#stopped = true;
  }

  #settle(epoch: number, serverUp: boolean): void {
    this.#probing = false;
    if (this.#stopped || epoch !== this.#epoch) return;
    // A server that does not answer explains the failure by itself, and breaks the streak.
    this.#count = serverUp ? this.#count + 1 : 0;
    if (this.#count < this.#strikes) return;
    this.#stopped = true;
    this.#onRefused();
  }
}
