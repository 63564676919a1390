import type { ServerResponse } from 'node:http';
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { CloseCode } from '../catalog.ts';
import { DEFAULT_SOCKET_PATH, PHOENIX_SUBPROTOCOL, TransportPath } from '../constants.ts';
import type { PhoenixSocket } from '../phoenix-socket.ts';
import { negotiateSerializer } from '../serializers/negotiate.ts';
import type { Serializer } from '../serializers/serializer.ts';
import {
  type ConnectionLimits,
  DEFAULT_MAX_QUEUED_MESSAGES,
  DEFAULT_MAX_SEND_BACKLOG_BYTES,
} from '../socket-connection.ts';
import type { OriginCheck } from './handshake.ts';
import { flattenQuery, originAllowed, readSubprotocols } from './handshake.ts';
import { IdleSweep, WebSocketLink } from './websocket-link.ts';

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
}

export const DEFAULT_MAX_FRAME_SIZE = 128 * 1024;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

interface Accepted<Assigns> {
  readonly serializer: Serializer;
  readonly assigns: Assigns;
  /** The response @fastify/websocket routed the upgrade with; released once the socket is open. */
  readonly response: ServerResponse;
}

/**
 * Serves a `PhoenixSocket` over WebSocket at `<path>/websocket`. Every check (vsn, origin,
 * subprotocols, `connect`) runs before the upgrade, so a refusal is a plain HTTP 403 that
 * phoenix.js answers with backoff instead of a reconnect storm. Closing the Fastify instance
 * drains the sockets with 1012.
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
  const accepted = new WeakMap<FastifyRequest, Accepted<Assigns>>();
  const idleSweep = new IdleSweep(idleTimeoutMs);
  const serverOptions = {
    maxPayload: options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
    // A ws 8.18.3+ option that @types/ws 8.18 does not declare yet (hence no object literal below).
    closeTimeout: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
    // The handshake hook has already refused offers without "phoenix"; never echo the token entry.
    handleProtocols: (protocols: Set<string>) => (protocols.has(PHOENIX_SUBPROTOCOL) ? PHOENIX_SUBPROTOCOL : false),
  };

  await fastify.register(websocket, {
    options: serverOptions,
    preClose(done) {
      socket.drain();
      this.websocketServer.close(() => done());
    },
  });

  async function handshake(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.headers.upgrade?.toLowerCase() !== 'websocket') {
      await reply.code(400).send();
      return;
    }
    const params = flattenQuery(request.query);
    const serializer = negotiateSerializer(params.vsn);
    const origin = request.headers.origin;
    const subprotocols = readSubprotocols(request.headers['sec-websocket-protocol']);
    if (!serializer || !originAllowed(checkOrigin, origin) || !subprotocols.ok) {
      await reply.code(403).send();
      return;
    }
    const result = await socket.connect({
      params,
      authToken: subprotocols.authToken,
      origin,
      // A getter: most `connect`s never ask, and asking costs a getpeername per connection.
      get remoteAddress() {
        return request.ip;
      },
      vsn: serializer.vsn,
    });
    if (!result.ok) {
      await reply.code(result.status ?? 403).send();
      return;
    }
    accepted.set(request, { serializer, assigns: result.assigns, response: reply.raw });
  }

  fastify.route({
    method: 'GET',
    url,
    preValidation: handshake,
    handler: (_request, reply) => reply.code(400).send(),
    wsHandler: (ws: WebSocket, request: FastifyRequest) => {
      const handshakeResult = accepted.get(request);
      accepted.delete(request);
      if (!handshakeResult) {
        ws.close(CloseCode.internalError, 'handshake state missing');
        return;
      }
      releaseUpgradeRequest(ws, handshakeResult.response);
      const { serializer, assigns } = handshakeResult;
      new WebSocketLink(ws, socket, serializer, assigns, limits, idleSweep);
    },
  });

  // Phoenix answers 400 to anything but GET on the socket path.
  fastify.route({
    method: ['POST', 'PUT', 'PATCH', 'DELETE'],
    url,
    handler: (_request, reply) => reply.code(400).send(),
  });
}

/**
 * Lets the HTTP upgrade request be garbage-collected once the WebSocket is open. Two references
 * would otherwise keep it for the socket's whole life (Fastify request and reply, a pino child
 * logger, every header including the token, the buffer the request was read into): about 4 KB of
 * the 9 KB of heap an idle connection held (bench/connections). @fastify/websocket's 'error' listener
 * closes over the request and reply (`attach` adds ours, which logs; ws closes the socket itself
 * after an error), and the net.Socket still points at the response the upgrade was routed with.
 * The response was hijacked and never finishes, so detaching it changes nothing else.
 */
function releaseUpgradeRequest(ws: WebSocket, response: ServerResponse): void {
  ws.removeAllListeners('error');
  if (response.socket) response.detachSocket(response.socket);
}

function positive(value: number, name: string): number {
  if (!(value > 0)) throw new RangeError(`${name} must be positive`);
  return value;
}
