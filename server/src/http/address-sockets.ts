import type { IncomingMessage } from 'node:http';
import type { HttpRefusal, Logger } from '@starcatch/phoenix';
import { type ApiError, ErrorCode } from '@starcatch/shared';
import type { AddressLimits } from '../limits/address-limits.ts';
import { SOCKET_CAP_RETRY_AFTER_SECONDS } from '../limits/address-limits.ts';

/** Told to whoever reads the body of the 429 (not a browser: it hides the upgrade's answer). */
export const TOO_MANY_CONNECTIONS_MESSAGE = 'Too many connections from your network; close a tab or try again later.';

/**
 * The WebSocket transport's admission: caps the sockets open at once per client address. Each
 * upgrade request is counted when it arrives, before the socket's own checks, and uncounted when
 * its TCP connection closes, whether the upgrade was refused or the WebSocket ended: the TCP
 * connection is the socket. One over the cap is answered 429 `too_many_connections` with
 * `Retry-After`, the body every API error has.
 */
export function socketAdmission(
  limits: AddressLimits,
  logger: Logger,
): (request: IncomingMessage, address: string) => (() => void) | HttpRefusal {
  const body: ApiError = { error: { code: ErrorCode.tooManyConnections, message: TOO_MANY_CONNECTIONS_MESSAGE } };
  const refusal: HttpRefusal = {
    status: 429,
    headers: {
      'Retry-After': String(SOCKET_CAP_RETRY_AFTER_SECONDS),
      'Content-Type': 'application/json; charset=utf-8',
    },
    body: JSON.stringify(body),
  };
  return (_request, address) => {
    const release = limits.openSocket(address);
    if (release) return release;
    logger.debug({ address }, 'socket refused: too many open from this address');
    return refusal;
  };
}
