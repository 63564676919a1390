import { createHmac, timingSafeEqual } from 'node:crypto';
import type { User } from '@starcatch/shared';

/** What a session token proves: who the user is, until when. */
export interface SessionClaims {
  readonly user: User;
  /** Expiry, in seconds since the epoch. */
  readonly exp: number;
}

/**
 * Signed, expiring session tokens: `base64url(json claims).base64url(HMAC-SHA256)`. Stateless, so
 * any node with the secret can check a socket's token before the upgrade.
 */
export class SessionTokens {
  readonly #secret: Buffer;
  readonly #ttlSeconds: number;
  readonly #now: () => number;

  constructor(secret: string, ttlSeconds: number, now: () => number = Date.now) {
    this.#secret = Buffer.from(secret, 'utf8');
    this.#ttlSeconds = ttlSeconds;
    this.#now = now;
  }

  sign(user: User): string {
    const claims: SessionClaims = { user, exp: Math.floor(this.#now() / 1000) + this.#ttlSeconds };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.#mac(body)}`;
  }

  /** The claims of a valid, unexpired token; null for anything else. */
  verify(token: string | undefined): SessionClaims | null {
    if (!token) return null;
    const dot = token.indexOf('.');
    if (dot <= 0) return null;
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.#mac(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const claims = parseClaims(Buffer.from(body, 'base64url').toString('utf8'));
    if (!claims || claims.exp * 1000 <= this.#now()) return null;
    return claims;
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#secret).update(body).digest('base64url');
  }
}

function parseClaims(json: string): SessionClaims | null {
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null) return null;
    const { user, exp } = value as { user?: Partial<User>; exp?: unknown };
    if (typeof exp !== 'number' || !user) return null;
    if (typeof user.id !== 'string' || typeof user.nickname !== 'string' || typeof user.color !== 'string') return null;
    return { user: { id: user.id, nickname: user.nickname, color: user.color }, exp };
  } catch {
    return null;
  }
}
