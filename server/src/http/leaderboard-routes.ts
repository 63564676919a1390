import { ApiPath, ErrorCode, type LeaderboardResponse } from '@starcatch/shared';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Storage } from '../storage/storage.ts';
import { sendApiError } from './api-error.ts';

export const DEFAULT_LEADERBOARD_LIMIT = 20;
export const MAX_LEADERBOARD_LIMIT = 100;

const LeaderboardQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_LEADERBOARD_LIMIT).default(DEFAULT_LEADERBOARD_LIMIT),
});

/** `GET /api/v1/leaderboard?limit=N` → `{leaderboard: LeaderboardEntry[]}`, ranked by stars caught. */
export function registerLeaderboardRoutes(app: FastifyInstance, storage: Storage): void {
  app.get(ApiPath.leaderboard, async (request, reply) => {
    const query = LeaderboardQuery.safeParse(request.query ?? {});
    if (!query.success) {
      return sendApiError(
        reply,
        400,
        ErrorCode.invalidRequest,
        `limit must be a whole number from 1 to ${MAX_LEADERBOARD_LIMIT}`,
      );
    }
    try {
      const body: LeaderboardResponse = { leaderboard: await storage.leaderboard(query.data.limit) };
      return body;
    } catch (error) {
      request.log.error({ err: error }, 'leaderboard query failed');
      return sendApiError(reply, 503, ErrorCode.storageFailed, 'The leaderboard cannot be read now; try again.');
    }
  });
}
