import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Logger } from '@starcatch/phoenix';

/**
 * Descriptors kept free under the open-files limit for everything that is not a client connection:
 * the database and its journal, two UDP sockets per WebRTC peer, log and static files.
 */
export const DESCRIPTOR_HEADROOM = 512;

/** How often a burst of refused connections is logged. */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * The soft `Max open files` limit of this process from /proc/self/limits (Linux); undefined where
 * it cannot be read or is unlimited.
 */
export function openFilesLimit(
  limits: () => string = () => readFileSync('/proc/self/limits', 'utf8'),
): number | undefined {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits());
    const value = match?.[1];
    return value === undefined || value === 'unlimited' ? undefined : Number(value);
  } catch {
    return undefined;
  }
}

/** `configured`, else the open-files limit less the headroom; undefined: no cap. */
export function connectionCap(configured: number | undefined, limit: number | undefined): number | undefined {
  if (configured !== undefined) return configured;
  return limit === undefined ? undefined : Math.max(1, limit - DESCRIPTOR_HEADROOM);
}

/**
 * Caps the server's open connections. Past the process's open-files limit, accept() itself fails:
 * libuv then resets pending connections with a reserved descriptor, and if even that descriptor is
 * gone Node reports an accept error it cannot recover from. Refusing (Node closes the connection
 * at once, the client sees a reset) well before the limit keeps descriptors for the database and
 * the WebRTC peers' UDP sockets, and keeps the process healthy.
 */
export function capConnections(server: Server, cap: number | undefined, logger: Logger): void {
  if (cap === undefined) return;
  server.maxConnections = cap;
  let refused = 0;
  let loggedAt = Number.NEGATIVE_INFINITY;
  server.on('drop', () => {
    refused++;
    const now = performance.now();
    if (now - loggedAt < DROP_LOG_INTERVAL_MS) return;
    loggedAt = now;
    logger.warn({ maxConnections: cap, refused }, 'connection refused: the server is at its connection cap');
    refused = 0;
  });
}
