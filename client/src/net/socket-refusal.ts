import type { SessionCheck } from './session-api.ts';

/**
 * Tells a refused session token from a server that is down. Browsers report both as the same
 * WebSocket `error` (the HTTP 403 of the upgrade is hidden from pages), so after an attempt that
 * failed to open we ask `GET /api/v1/session` about the token: a 401 is the server's own word that
 * the token is no good, and anything else (no answer, a valid token) means keep retrying.
 */
export class SocketRefusalDetector {
  readonly #checkSession: () => Promise<SessionCheck>;
  readonly #onRefused: () => void;
  #checking = false;
  /** Bumped on every open, so a check that started before it cannot count afterwards. */
  #epoch = 0;
  #stopped = false;

  constructor(options: { checkSession: () => Promise<SessionCheck>; onRefused: () => void }) {
    this.#checkSession = options.checkSession;
    this.#onRefused = options.onRefused;
  }

  /** The socket opened: the token is fine. */
  opened(): void {
    this.#epoch++;
  }

  /** An attempt ended before the socket opened. Attempts during a running check are not asked about again. */
  failedToOpen(): void {
    if (this.#checking || this.#stopped) return;
    this.#checking = true;
    const epoch = this.#epoch;
    this.#checkSession().then(
      (answer) => this.#settle(epoch, answer),
      () => this.#settle(epoch, 'unreachable'),
    );
  }

  stop(): void {
    this.#stopped = true;
  }

  #settle(epoch: number, answer: SessionCheck): void {
    this.#checking = false;
    if (this.#stopped || epoch !== this.#epoch || answer !== 'refused') return;
    this.#stopped = true;
    this.#onRefused();
  }
}
