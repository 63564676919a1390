import { createHmac } from 'node:crypto';
import type { IceServerPayload } from '@starcatch/shared';
import type { IceServer } from './rtc-peer.ts';

/**
 * A TURN server that takes coturn's shared-secret credentials ("TURN REST API": `use-auth-secret`
 * with `static-auth-secret` in turnserver.conf). The secret stays on the server; each browser gets
 * a username and password of its own that expire.
 */
export interface TurnRestSettings {
  readonly secret: string;
  /** `turn:` / `turns:` URLs, e.g. `turn:turn.example.org:3478?transport=udp`. */
  readonly urls: readonly string[];
  readonly ttlSeconds: number;
}

/** What browsers are told to use to reach the server's WebRTC peers. */
export interface ClientIceSettings {
  /** Sent as they are (STUN, or TURN URLs without credentials). */
  readonly servers: readonly IceServer[];
  /** Unset: no TURN credentials are issued. */
  readonly turn: TurnRestSettings | undefined;
}

export interface TurnCredential {
  /** `<expiry>:<userId>`, the expiry in Unix seconds. */
  readonly username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  readonly credential: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

/**
 * coturn's REST credential for `userId`: the username carries its expiry, and the password is the
 * username signed with the shared secret, so coturn checks both without asking anyone.
 */
export function turnCredential(secret: string, userId: string, ttlSeconds: number, nowMs: number): TurnCredential {
  const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiresAt}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt };
}

/**
 * The `ice_servers` of `userId`'s `user:<id>` join reply: the configured servers, then the TURN
 * server with fresh credentials of this user's (every join, so a rejoin renews them).
 */
export function clientIceServers(settings: ClientIceSettings, userId: string, nowMs = Date.now()): IceServerPayload[] {
  const servers: IceServerPayload[] = settings.servers.map(toPayload);
  const { turn } = settings;
  if (turn !== undefined && turn.urls.length > 0) {
    const { username, credential } = turnCredential(turn.secret, userId, turn.ttlSeconds, nowMs);
    servers.push({ urls: [...turn.urls], username, credential });
  }
  return servers;
}

/** One line for the start-up log: which ICE servers browsers are told about, and no secret. */
export function describeClientIce(settings: ClientIceSettings): string {
  const urls = settings.servers.flatMap((server) => (typeof server.urls === 'string' ? [server.urls] : server.urls));
  const parts = [
    ...(urls.length > 0 ? [urls.join(', ')] : []),
    ...(settings.turn ? [`${settings.turn.urls.join(', ')} (TURN_SECRET, ${settings.turn.ttlSeconds} s)`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : 'none (host candidates only)';
}

function toPayload(server: IceServer): IceServerPayload {
  return {
    urls: typeof server.urls === 'string' ? server.urls : [...server.urls],
    ...(server.username !== undefined && { username: server.username }),
    ...(server.credential !== undefined && { credential: server.credential }),
  };
}
