import type { ApiError, ErrorCode } from '@starcatch/shared';
import type { FastifyReply } from 'fastify';

/** Every API error answers `{error: {code, message}}` with a status that fits. */
export function sendApiError(reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply {
  const body: ApiError = { error: { code, message } };
  return reply.code(status).send(body);
}
