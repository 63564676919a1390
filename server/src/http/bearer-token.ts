import type { FastifyRequest } from 'fastify';

const BEARER = 'Bearer ';

/** The token of an `Authorization: Bearer <token>` header; undefined without one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization ?? '';
  return header.startsWith(BEARER) ? header.slice(BEARER.length) : undefined;
}
