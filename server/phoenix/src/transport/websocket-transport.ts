import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import { DEFAULT_SOCKET_PATH, PHOENIX_SUBPROTOCOL, TransportPath } from '../constants.ts';
import type { PhoenixSocket } from '../phoenix-socket.ts';
import { negotiateSerializer } from '../serializers/negotiate.ts';
import {
  type ConnectionLimits,
  DEFAULT_MAX_QUEUED_MESSAGES,
  DEFAULT_MAX_SEND_BACKLOG_BYTES,
} from '../socket-connection.ts';
import type { OriginCheck } from './handshake.ts';
import { originAllowed, queryParams, readSubprotocols } from './handshake.ts';
import { type HttpRefusal, refuseUpgrade, routeUpgrades } from './upgrade-routes.ts';
import { IdleSweep, WebSocketLink } from './websocket-link.ts';

export type { HttpRefusal } from './upgrade-routes.ts';

export interface WebSocketTransportOptions<Assigns extends object> {
  readonly socket: PhoenixSocket<Assigns>;
  /** Mount path; the WebSocket lives at `<path>/websocket`. Default `/socket`. */
  readonly path?: string;
  /** Allowed `Origin` values, a predicate, or `false` to allow any. Default `false`. */
  readonly checkOrigin?: OriginCheck;
  /** Largest inbound frame in bytes; a larger one closes the socket with 1009. Default 128 KiB. */
  readonly maxFrameSize?: number;
  /**
   * Close a socket that sent nothing for this long (ms), with 1002, within a quarter of it after
   * (one sweep per transport, not a timer per socket). Default 60 000.
   */
  readonly idleTimeoutMs?: number;
  /**
   * Close a socket with 1013 once more than this many bytes wait unsent to it (the client is not
   * reading). Default `DEFAULT_MAX_SEND_BACKLOG_BYTES` (4 MiB).
   */
  readonly maxSendBacklogBytes?: number;
  /**
   * Messages a socket (waiting behind a join) and each of its channels (waiting for the handler)
   * may hold; more are answered `message queue full`. Default `DEFAULT_MAX_QUEUED_MESSAGES` (100).
   */
  readonly maxQueuedMessages?: number;
  /**
   * A socket the server closed is dropped if the client has not answered the close frame within
   * this long (ms): one that stopped reading never would, and would hold its backlog and a
   * shutdown's drain for ws's own 30 s. Default 5 000.
   */
  readonly closeTimeoutMs?: number;
  /**
   * The client's address for an upgrade request, passed to `connect` as `remoteAddress` and to
   * `admit`. Default: the TCP peer's. Behind a reverse proxy, the address the proxy forwarded, as
   * the app's HTTP routes see it (the app knows which proxies it trusts).
   */
  readonly clientAddress?: (request: IncomingMessage) => string;
  /**
   * Runs first for each upgrade request, before any other check: admit it (returning what to call
   * when its TCP connection closes, if anything) or refuse it with an HTTP answer, such as a 429
   * for too many sockets from one address.
   */
  readonly admit?: (request: IncomingMessage, clientAddress: string) => (() => void) | undefined | HttpRefusal;
}

export const DEFAULT_MAX_FRAME_SIZE = 128 * 1024;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

const FORBIDDEN: HttpRefusal = { status: 403 };

/**
 * Serves a `PhoenixSocket` over WebSocket at `<path>/websocket`. The upgrade is taken on Node's
 * `upgrade` event, before Fastify's router: every check (admission, vsn, origin, subprotocols,
 * `connect`) runs before the handshake is answered, so a refusal is a plain HTTP status (403 by
 * default) that phoenix.js answers with backoff instead of a reconnect storm, and an accepted socket
 * costs no Fastify request, reply or hooks. Other requests to the path (no upgrade, other methods)
 * get Phoenix's 400 through Fastify. Closing the Fastify instance drains the sockets with 1012.
 */
export async function webSocketTransport<Assigns extends object>(
  fastify: FastifyInstance,
  options: WebSocketTransportOptions<Assigns>,
): Promise<void> {
  const { socket } = options;
  const url = `${options.path ?? DEFAULT_SOCKET_PATH}${TransportPath.websocket}`;
  const checkOrigin = options.checkOrigin ?? false;
  const idleTimeoutMs = positive(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, 'idleTimeoutMs');
  const limits: ConnectionLimits = {
    maxSendBacklogBytes: positive(options.maxSendBacklogBytes ?? DEFAULT_MAX_SEND_BACKLOG_BYTES, 'maxSendBacklogBytes'),
    maxQueuedMessages: positive(options.maxQueuedMessages ?? DEFAULT_MAX_QUEUED_MESSAGES, 'maxQueuedMessages'),
  };
  const clientAddress = options.clientAddress ?? ((request: IncomingMessage) => request.socket.remoteAddress ?? '');
  const idleSweep = new IdleSweep(idleTimeoutMs);
  const serverOptions = {
    noServer: true,
    clientTracking: false,
    maxPayload: options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
    // A ws 8.18.3+ option that @types/ws 8.18 does not declare yet (hence no object literal below).
    closeTimeout: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
    // The handshake has already refused offers without "phoenix"; never echo the token entry.
    handleProtocols: (protocols: Set<string>) => (protocols.has(PHOENIX_SUBPROTOCOL) ? PHOENIX_SUBPROTOCOL : false),
  };
  const wss = new WebSocketServer(serverOptions);
  let closing = false;

  async function upgrade(request: IncomingMessage, connection: Duplex, head: Buffer): Promise<void> {
    // Until ws takes the connection, an error on it (a reset mid-handshake) only ends it.
    connection.on('error', destroyOnError);
    const address = clientAddress(request);
    const admission = options.admit?.(request, address);
    if (admission !== undefined && typeof admission !== 'function') {
      refuseUpgrade(connection, admission);
      return;
    }
    if (admission) connection.once('close', admission);
    const params = queryParams(request.url ?? '');
    const serializer = negotiateSerializer(params.vsn);
    const origin = request.headers.origin;
    const subprotocols = readSubprotocols(request.headers['sec-websocket-protocol']);
    if (closing || !serializer || !originAllowed(checkOrigin, origin) || !subprotocols.ok) {
      refuseUpgrade(connection, FORBIDDEN);
      return;
    }
    const result = await socket.connect({
      params,
      authToken: subprotocols.authToken,
      origin,
      remoteAddress: address,
      vsn: serializer.vsn,
    });
    if (!result.ok || closing || connection.destroyed) {
      refuseUpgrade(connection, result.ok ? FORBIDDEN : { status: result.status ?? 403 });
      return;
    }
    // ws answers a handshake it finds malformed (version, key) with 400 itself.
    wss.handleUpgrade(request, connection, head, (ws) => {
      connection.off('error', destroyOnError);
      new WebSocketLink(ws, socket, serializer, result.assigns, limits, idleSweep);
    });
  }

  const unroute = routeUpgrades(fastify.server, url, (request, connection, head) => {
    upgrade(request, connection, head).catch((error: unknown) => {
      socket.logger.error({ err: error }, 'websocket upgrade failed');
      refuseUpgrade(connection, { status: 500 });
    });
  });

  fastify.addHook('preClose', (done) => {
    closing = true;
    unroute();
    socket.drain();
    wss.close(() => done());
  });

  // Phoenix answers 400 to anything on the socket path that is not a WebSocket upgrade.
  fastify.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url,
    handler: (_request, reply) => reply.code(400).send(),
  });
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

function positive(value: number, name: string): number {
  if (!(value > 0)) throw new RangeError(`${name} must be positive`);
  return value;
}
