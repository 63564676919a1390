import { ErrorCode } from '@starcatch/shared';
import type { SessionCheck, SocketThrottle } from './session-api.ts';

/**
 * Tells a refused session token from a server that is down. Browsers report both as the same
 * WebSocket `error` (the HTTP 403 of the upgrade is hidden from pages), so after an attempt that
 * failed to open we ask `GET /api/v1/session` about the token: a 401 is the server's own word that
 * the token is no good, and anything else (no answer, a valid token) means keep retrying. A valid
 * token whose address is over the server's socket limits is reported to `onThrottled` (the player
 * is told why nothing connects), and retrying goes on: the limits lift by themselves.
 */
export class SocketRefusalDetector {
  readonly #checkSession: () => Promise<SessionCheck>;
  readonly #onRefused: () => void;
  readonly #onThrottled: (reason: SocketThrottle | null) => void;
  #checking = false;
  /** Bumped on every open, so a check that started before it cannot count afterwards. */
  #epoch = 0;
  #stopped = false;

  constructor(options: {
    checkSession: () => Promise<SessionCheck>;
    onRefused: () => void;
    /** The address is (a reason) or is no longer (null) refused sockets for now. */
    onThrottled?: (reason: SocketThrottle | null) => void;
  }) {
    this.#checkSession = options.checkSession;
    this.#onRefused = options.onRefused;
    this.#onThrottled = options.onThrottled ?? (() => {});
  }

  /** The socket opened: the token is fine, and the address is let in. */
  opened(): void {
    this.#epoch++;
    this.#onThrottled(null);
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
    if (this.#stopped || epoch !== this.#epoch) return;
    if (answer !== 'refused') {
      this.#onThrottled(answer === ErrorCode.rateLimited || answer === ErrorCode.tooManyConnections ? answer : null);
      return;
    }
    this.#stopped = true;
    this.#onRefused();
  }
}
