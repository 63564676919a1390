/**
 * The WebSocket transport's own answers to upgrade requests, over real TCP: refusals written before
 * the handshake (admission, connect), the client address it reports, other paths and methods.
 */
import { once } from 'node:events';
import { type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ok, PhoenixSocket, type WebSocketTransportOptions, webSocketTransport } from '@starcatch/phoenix';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';

interface Assigns {
  readonly address: string;
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(options: Partial<WebSocketTransportOptions<Assigns>> = {}) {
  const seen: string[] = [];
  const socket = new PhoenixSocket<Assigns>({
    connect: ({ params, remoteAddress }) => {
      seen.push(remoteAddress);
      return params.token === 'good' ? { ok: true, assigns: { address: remoteAddress } } : { ok: false, status: 401 };
    },
    channels: { 'room:*': { join: () => ok() } },
  });
  app = Fastify();
  await app.register(webSocketTransport<Assigns>, { socket, path: '/socket', ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as AddressInfo).port, seen };
}

/** Sends an upgrade request and resolves with the HTTP answer (101 means the upgrade happened). */
async function upgrade(
  port: number,
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  const req = request({
    port,
    host: '127.0.0.1',
    path,
    method,
    headers: {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Protocol': 'phoenix',
    },
  });
  req.end();
  const answer = await Promise.race([
    once(req, 'response').then(([response]: IncomingMessage[]) => response as IncomingMessage),
    once(req, 'upgrade').then(([response, socket]) => {
      socket.destroy();
      return response as IncomingMessage;
    }),
  ]);
  let body = '';
  if (answer.statusCode !== 101) for await (const chunk of answer) body += String(chunk);
  return { status: answer.statusCode ?? 0, headers: answer.headers, body };
}

describe('the WebSocket transport answers upgrades itself', () => {
  it('upgrades a good request and refuses one connect refuses with its status, before the handshake', async () => {
    const { port } = await start();
    expect((await upgrade(port, '/socket/websocket?vsn=2.0.0&token=good')).status).toBe(101);
    expect((await upgrade(port, '/socket/websocket?vsn=2.0.0&token=bad')).status).toBe(401);
    expect((await upgrade(port, '/socket/websocket?vsn=9.9.9&token=good')).status).toBe(403);
  });

  it('runs admit first: a refusal is written with its headers and body, and a release runs when the connection closes', async () => {
    let released = 0;
    let admitted = 0;
    const { port, seen } = await start({
      admit: () => {
        if (admitted++ === 0) return () => released++;
        return { status: 429, headers: { 'Retry-After': '10' }, body: '{"error":"busy"}' };
      },
    });
    expect((await upgrade(port, '/socket/websocket?vsn=2.0.0&token=good')).status).toBe(101);
    const refused = await upgrade(port, '/socket/websocket?vsn=2.0.0&token=good');
    expect(refused).toMatchObject({ status: 429, body: '{"error":"busy"}' });
    expect(refused.headers['retry-after']).toBe('10');
    expect(seen).toHaveLength(1);
    await expect.poll(() => released).toBe(1);
  });

  it('passes the address clientAddress gives to connect', async () => {
    const { port, seen } = await start({ clientAddress: (req) => String(req.headers['x-client'] ?? 'none') });
    await upgrade(port, '/socket/websocket?vsn=2.0.0&token=good');
    expect(seen).toEqual(['none']);
  });

  it('answers 404 to an upgrade on another path, and 400 to a plain request on the socket path', async () => {
    const { port } = await start();
    expect((await upgrade(port, '/elsewhere')).status).toBe(404);
    const plain = await fetch(`http://127.0.0.1:${port}/socket/websocket?vsn=2.0.0`);
    expect(plain.status).toBe(400);
  });
});
