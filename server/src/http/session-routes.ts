import { randomUUID } from 'node:crypto';
import { ErrorCode, PLAYER_COLORS, type User, validateNickname } from '@starcatch/shared';
import type { FastifyInstance } from 'fastify';
import type { SessionTokens } from '../auth/session-token.ts';
import type { Storage } from '../storage/storage.ts';
import { isStorageUnavailable, STORAGE_RETRY_AFTER_SECONDS } from '../storage/storage-errors.ts';
import { sendApiError } from './api-error.ts';

/**
 * Guest sign-in: `POST /api/v1/session {nickname}` → `{token, user}`. While the database is
 * unavailable: 503 `storage_unavailable` with `Retry-After`, not a 500 (nothing is wrong with the
 * request, and the same request succeeds once the database is back).
 */
export function registerSessionRoutes(app: FastifyInstance, tokens: SessionTokens, storage: Storage): void {
  app.post('/api/v1/session', async (request, reply) => {
    const body = request.body as { nickname?: unknown } | null | undefined;
    const result = validateNickname(body?.nickname);
    if (!result.ok) return sendApiError(reply, 400, ErrorCode.invalidNickname, result.message);
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

  // Lets a client tell a refused token from a server that is down: the socket upgrade cannot say.
  app.get('/api/v1/session', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const claims = tokens.verify(header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined);
    if (!claims)
      return sendApiError(reply, 401, ErrorCode.unauthorized, 'The session token is missing, invalid or expired.');
    return { user: claims.user };
  });
}

function colorFor(id: string): string {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return PLAYER_COLORS[hash % PLAYER_COLORS.length] ?? PLAYER_COLORS[0];
}
