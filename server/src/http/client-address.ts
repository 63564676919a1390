import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/**
 * The client's address of a raw HTTP request, exactly as Fastify's `request.ip` reads it with
 * `trustProxy` set to the same list: the TCP peer's, unless that peer is one of `trustedProxies`;
 * then the rightmost address of `X-Forwarded-For` that is not itself a trusted proxy. For requests
 * that never become Fastify requests (the WebSocket upgrade), so every limit per address counts the
 * same client whichever way it came in.
 */
export function clientAddressOf(trustedProxies: readonly string[] | false): (request: IncomingMessage) => string {
  if (trustedProxies === false) return (request) => request.socket.remoteAddress ?? '';
  const trusted = proxyAddr.compile([...trustedProxies]);
  return (request) => proxyAddr(request, trusted);
}
