import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** Takes over one upgrade request: answers it on the raw socket, or hands the socket to `ws`. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** A refusal written on the raw socket before it is closed: the status, and what a client may read. */
export interface HttpRefusal {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** The upgrade paths of each HTTP server, with the one listener that routes them. */
const routesOf = new WeakMap<Server, Map<string, UpgradeHandler>>();

/**
 * Routes HTTP upgrade requests for `path` to `handler`, on Node's `upgrade` event: before any
 * framework router, so an upgrade costs no framework request, reply or hooks. One listener per
 * server serves every path registered on it; an upgrade for a path nobody registered is answered
 * 404, unless another `upgrade` listener (another library) is there to take it. Returns the undo.
 */
export function routeUpgrades(server: Server, path: string, handler: UpgradeHandler): () => void {
  let routes = routesOf.get(server);
  if (!routes) {
    const table = new Map<string, UpgradeHandler>();
    routes = table;
    routesOf.set(server, table);
    server.on('upgrade', function dispatch(request: IncomingMessage, socket: Duplex, head: Buffer) {
      const url = request.url ?? '/';
      const query = url.indexOf('?');
      const route = table.get(query === -1 ? url : url.slice(0, query));
      if (route) route(request, socket, head);
      else if (server.listenerCount('upgrade') === 1) refuseUpgrade(socket, { status: 404 });
    });
  }
  if (routes.has(path)) throw new Error(`an upgrade handler is already registered for ${path}`);
  routes.set(path, handler);
  return () => routes.delete(path);
}

/** Answers an upgrade request with a plain HTTP response and closes the connection once it is sent. */
export function refuseUpgrade(socket: Duplex, { status, headers = {}, body = '' }: HttpRefusal): void {
  if (socket.destroyed) return;
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`, 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
