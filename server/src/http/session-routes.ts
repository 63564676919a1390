import { randomUUID } from 'node:crypto';
import {
  ApiPath,
  ErrorCode,
  PLAYER_COLORS,
  type SessionStatusResponse,
  type User,
  validateNickname,
} from '@starcatch/shared';
import type { FastifyInstance } from 'fastify';
import type { SessionTokens } from '../auth/session-token.ts';
import type { AddressLimits } from '../limits/address-limits.ts';
import type { Storage } from '../storage/storage.ts';
import { isStorageUnavailable, STORAGE_RETRY_AFTER_SECONDS } from '../storage/storage-errors.ts';
import { TOO_MANY_CONNECTIONS_MESSAGE } from './address-sockets.ts';
import { sendApiError } from './api-error.ts';
import { bearerToken } from './bearer-token.ts';

/**
 * Guest sign-in: `POST /api/v1/session {nickname}` → `{token, user}`. While the database is
 * unavailable: 503 `storage_unavailable` with `Retry-After`, not a 500 (nothing is wrong with the
 * request, and the same request succeeds once the database is back). More sign-ins from one address
 * than `addresses` allows: 429 `rate_limited` with `Retry-After`.
 */
export function registerSessionRoutes(
  app: FastifyInstance,
  tokens: SessionTokens,
  storage: Storage,
  addresses?: AddressLimits,
): void {
  app.post(ApiPath.session, async (request, reply) => {
    const body = request.body as { nickname?: unknown } | null | undefined;
    const result = validateNickname(body?.nickname);
    if (!result.ok) return sendApiError(reply, 400, ErrorCode.invalidNickname, result.message);
    // Per address (SIGN_INS_PER_ADDRESS_PER_MINUTE): each sign-in is a new identity with fresh budgets.
    const refused = addresses?.signIn(request.ip);
    if (refused) {
      request.log.debug({ address: request.ip }, 'sign-in refused: too many from this address');
      reply.header('retry-after', String(refused.retryAfterSeconds));
      return sendApiError(reply, 429, refused.reason, 'Too many sign-ins from your network; wait a minute.');
    }
    const id = randomUUID();
    const user: User = { id, nickname: result.nickname, color: colorFor(id) };
    try {
      await storage.saveUser(user);
    } catch (error) {
      if (!isStorageUnavailable(error)) throw error;
      request.log.warn({ err: error }, 'sign-in refused: storage unavailable');
      reply.header('retry-after', String(STORAGE_RETRY_AFTER_SECONDS));
      return sendApiError(
        reply,
        503,
        ErrorCode.storageUnavailable,
        "The server's database is unavailable; try again in a moment.",
      );
    }
    return reply.code(201).send({ token: tokens.sign(user), user });
  });

  // Lets a client tell a refused token from a server that is down, and from an address over its
  // socket limits (`socket_refused`): a browser cannot read why an upgrade was refused.
  app.get(ApiPath.session, async (request, reply) => {
    const claims = tokens.verify(bearerToken(request));
    if (!claims)
      return sendApiError(reply, 401, ErrorCode.unauthorized, 'The session token is missing, invalid or expired.');
    const refused = addresses?.socketRefusal(request.ip);
    const status: SessionStatusResponse = refused
      ? {
          user: claims.user,
          socket_refused: {
            reason: refused.reason,
            message:
              refused.reason === ErrorCode.tooManyConnections
                ? TOO_MANY_CONNECTIONS_MESSAGE
                : 'Too many connection attempts from your network; wait a moment.',
            retry_after_seconds: refused.retryAfterSeconds,
          },
        }
      : { user: claims.user };
    return status;
  });
}

function colorFor(id: string): string {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return PLAYER_COLORS[hash % PLAYER_COLORS.length] ?? PLAYER_COLORS[0];
}
