import { ErrorCode } from '@starcatch/shared';
import { addressKey } from './address-key.ts';
import { KeyedRateLimit, perMinute } from './keyed-rate-limit.ts';
import type { Clock } from './token-bucket.ts';

/**
 * What one client address may do. The address is the TCP peer's, or the client's address from
 * `X-Forwarded-For` when the peer is a trusted proxy (`TRUSTED_PROXIES`), as Fastify's `request.ip`
 * gives it; IPv6 addresses count per /64 (see `addressKey`). Each budget of N per minute also
 * allows N at once. Every limit is this process's own: in a cluster each node keeps its own.
 */
export interface AddressLimitSettings {
  /** `POST /api/v1/session`: every sign-in makes a new identity with fresh per-user budgets. */
  readonly signInsPerMinute: number;
  /** Socket upgrades (refused with HTTP 429 in the socket's `connect`). */
  readonly socketConnectsPerMinute: number;
  /** Sockets open at once (refused with HTTP 429 before the upgrade). */
  readonly maxSockets: number;
  /** Rooms created (`room:create`, and quick play when it opens a room), whoever signed in. */
  readonly roomCreatesPerMinute: number;
}

/**
 * Sized for a household or a school behind one NAT address: 20 sign-ins a minute is a class
 * signing in at once; 64 sockets is 64 tabs; 60 connects a minute covers all of them reconnecting
 * after a server restart. One abuser at these rates costs little.
 */
export const DEFAULT_ADDRESS_LIMITS: AddressLimitSettings = {
  signInsPerMinute: 20,
  socketConnectsPerMinute: 60,
  maxSockets: 64,
  roomCreatesPerMinute: 20,
};

/** When the socket cap refuses: a tab of that address has to close first, which takes a while. */
export const SOCKET_CAP_RETRY_AFTER_SECONDS = 10;

/** Why an address is refused, and how long to wait (the `Retry-After` of an HTTP 429). */
export interface AddressRefusal {
  readonly reason: typeof ErrorCode.rateLimited | typeof ErrorCode.tooManyConnections;
  readonly retryAfterSeconds: number;
}

/** The per-address budgets and the count of open sockets per address. */
export class AddressLimits {
  readonly settings: AddressLimitSettings;
  readonly #signIns: KeyedRateLimit;
  readonly #connects: KeyedRateLimit;
  readonly #roomCreates: KeyedRateLimit;
  readonly #sockets = new Map<string, number>();

  constructor(settings: AddressLimitSettings, now?: Clock) {
    this.settings = settings;
    this.#signIns = new KeyedRateLimit(perMinute(settings.signInsPerMinute), now);
    this.#connects = new KeyedRateLimit(perMinute(settings.socketConnectsPerMinute), now);
    this.#roomCreates = new KeyedRateLimit(perMinute(settings.roomCreatesPerMinute), now);
  }

  /** Spends a sign-in; a refusal says how long to wait. */
  signIn(address: string): AddressRefusal | undefined {
    return spend(this.#signIns, addressKey(address));
  }

  /** Spends a socket connect. */
  socketConnect(address: string): AddressRefusal | undefined {
    return spend(this.#connects, addressKey(address));
  }

  /** Spends a room creation. */
  roomCreate(address: string): AddressRefusal | undefined {
    return spend(this.#roomCreates, addressKey(address));
  }

  /**
   * Counts one more socket from `address`; returns the function that uncounts it (call it once,
   * when the connection closes), or undefined when the address is at `maxSockets`.
   */
  openSocket(address: string): (() => void) | undefined {
    const key = addressKey(address);
    const open = this.#sockets.get(key) ?? 0;
    if (open >= this.settings.maxSockets) return undefined;
    this.#sockets.set(key, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#sockets.get(key) ?? 1) - 1;
      if (left > 0) this.#sockets.set(key, left);
      else this.#sockets.delete(key);
    };
  }

  /** Sockets open from `address` now. */
  socketsOpen(address: string): number {
    return this.#sockets.get(addressKey(address)) ?? 0;
  }

  /** Addresses with a socket open now (for tests and metrics). */
  get addressesWithSockets(): number {
    return this.#sockets.size;
  }

  /**
   * Why a socket from `address` would be refused now, spending nothing: a browser cannot read the
   * 429 of a refused upgrade, so `GET /api/v1/session` tells it this instead.
   */
  socketRefusal(address: string): AddressRefusal | undefined {
    const key = addressKey(address);
    if ((this.#sockets.get(key) ?? 0) >= this.settings.maxSockets) {
      return { reason: ErrorCode.tooManyConnections, retryAfterSeconds: SOCKET_CAP_RETRY_AFTER_SECONDS };
    }
    const waitMs = this.#connects.waitMs(key);
    return waitMs > 0 ? { reason: ErrorCode.rateLimited, retryAfterSeconds: Math.ceil(waitMs / 1000) } : undefined;
  }
}

function spend(limit: KeyedRateLimit, key: string): AddressRefusal | undefined {
  if (limit.check(key) === 'allowed') return undefined;
  return { reason: ErrorCode.rateLimited, retryAfterSeconds: Math.max(1, Math.ceil(limit.waitMs(key) / 1000)) };
}
