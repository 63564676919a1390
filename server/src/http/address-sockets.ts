import { ErrorCode } from '@starcatch/shared';
import type { FastifyInstance } from 'fastify';
import type { AddressLimits } from '../limits/address-limits.ts';
import { SOCKET_CAP_RETRY_AFTER_SECONDS } from '../limits/address-limits.ts';
import { sendApiError } from './api-error.ts';

/** Told to whoever reads the body of the 429 (not a browser: it hides the upgrade's answer). */
export const TOO_MANY_CONNECTIONS_MESSAGE = 'Too many connections from your network; close a tab or try again later.';

/**
 * Caps the sockets open at once per client address (`request.ip`) on the WebSocket route at `url`.
 * The count is kept at the HTTP level: each upgrade request is counted when it arrives, before the
 * socket's own checks, and uncounted when its TCP connection closes, whether the upgrade was
 * refused (the WebSocket plugin destroys the connection after the answer) or the WebSocket ended.
 * The Phoenix socket has no close hook, and none is needed: the TCP connection is the socket.
 * One over the cap is answered 429 `too_many_connections` with `Retry-After`.
 */
export function capSocketsPerAddress(http: FastifyInstance, limits: AddressLimits, url: string): void {
  http.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== url || request.headers.upgrade?.toLowerCase() !== 'websocket') return;
    const connection = request.raw.socket;
    if (connection.destroyed) return;
    const release = limits.openSocket(request.ip);
    if (!release) {
      request.log.debug({ address: request.ip }, 'socket refused: too many open from this address');
      reply.header('retry-after', String(SOCKET_CAP_RETRY_AFTER_SECONDS));
      // Node handed this connection over for the upgrade, so nothing reads it after the answer.
      reply.raw.once('finish', () => connection.destroy());
      return sendApiError(reply, 429, ErrorCode.tooManyConnections, TOO_MANY_CONNECTIONS_MESSAGE);
    }
    connection.once('close', release);
    return undefined;
  });
}
