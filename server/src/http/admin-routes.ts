import { createHash, timingSafeEqual } from 'node:crypto';
import { AdminPath, ErrorCode } from '@starcatch/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { userSocketId } from '../channels/user-socket.ts';
import { sendApiError } from './api-error.ts';
import { bearerToken } from './bearer-token.ts';

/**
 * Operator routes, behind `Authorization: Bearer <ADMIN_TOKEN>`; without a token configured they
 * are not registered at all (404).
 *
 * `POST /api/v1/admin/users/:userId/webrtc/close` closes every WebRTC peer of that user →
 * `{closed: n}`. Their tabs are told `webrtc:state {closed, reason: closed_by_operator}`, carry on
 * over the WebSocket and negotiate a new peer: a way to exercise the fallback on a live server.
 *
 * `POST /api/v1/admin/users/:userId/disconnect` closes every socket of that user (close code 1001)
 * → `{disconnected: n}`. Their tabs reconnect as after any drop; the point is to end a session now.
 *
 * On a cluster node both act on every node, and the counts are the cluster's.
 */
export function registerAdminRoutes(
  app: FastifyInstance,
  adminToken: string | undefined,
  operations: Operations,
): void {
  if (adminToken === undefined) return;
  const expected = digest(adminToken);
  const authorized = (request: FastifyRequest): boolean => {
    const token = bearerToken(request);
    if (token === undefined) return false;
    // Comparing fixed-size digests keeps the comparison constant-time whatever the length sent.
    return timingSafeEqual(digest(token), expected);
  };

  app.post<{ Params: { userId: string } }>(AdminPath.closePeers(':userId'), async (request, reply) => {
    if (!authorized(request)) {
      return sendApiError(reply, 401, ErrorCode.unauthorized, 'The admin token is missing or wrong.');
    }
    return { closed: await operations.closePeersOf(request.params.userId) };
  });

  app.post<{ Params: { userId: string } }>(AdminPath.disconnect(':userId'), async (request, reply) => {
    if (!authorized(request)) {
      return sendApiError(reply, 401, ErrorCode.unauthorized, 'The admin token is missing or wrong.');
    }
    return { disconnected: await operations.disconnect(userSocketId(request.params.userId)) };
  });
}

/** What the operator routes do, on this process or across a cluster. */
export interface Operations {
  closePeersOf(userId: string): Promise<number>;
  disconnect(socketId: string): Promise<number>;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
