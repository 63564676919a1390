import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { afterEach, expect } from 'vitest';
import { type ProtocolTestServer, startProtocolTestServer, terminations } from '../support/protocol-test-server.ts';
import { HandshakeRefused, RawSocket } from '../support/raw-socket.ts';
import { heartbeat, heartbeatReply, join, ok } from './frames.ts';

type ServerOptions = Parameters<typeof startProtocolTestServer>[0];
type OpenOptions = Parameters<typeof RawSocket.open>[1];

/**
 * A fresh protocol test server per test (port 0), and every socket and server opened through it
 * closed after each test, so no test sees another's channels or presence.
 */
export function useProtocolServer() {
  const servers: ProtocolTestServer[] = [];
  const sockets: RawSocket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.ws.terminate();
    await Promise.all(servers.splice(0).map((server) => server.close()));
    terminations.length = 0;
  });
  return {
    async start(options?: ServerOptions): Promise<ProtocolTestServer> {
      const server = await startProtocolTestServer(options);
      servers.push(server);
      return server;
    },
    /** Opens a socket on `server.wsUrl(query)` (valid token, vsn 2.0.0 unless overridden). */
    async connect(
      server: ProtocolTestServer,
      query: Record<string, string | undefined> = {},
      options?: OpenOptions,
    ): Promise<RawSocket> {
      const socket = await RawSocket.open(server.wsUrl(query), options);
      sockets.push(socket);
      return socket;
    },
  };
}

/** 101 when the upgrade succeeds (the socket is then closed), else the refusal's HTTP status. */
export async function handshakeStatus(url: string, options?: OpenOptions): Promise<number> {
  try {
    const socket = await RawSocket.open(url, options);
    socket.ws.terminate();
    return 101;
  } catch (error) {
    if (error instanceof HandshakeRefused) return error.status;
    throw error;
  }
}

/** Sends a bare upgrade request; resolves with the status and body (empty for a 101). */
export function rawUpgrade(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get(url.replace(/^ws:/, 'http:'), {
      agent: false,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      },
    });
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve({ status: 101, body: '' });
    });
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

/** Joins `topic` with join_ref = ref = `joinRef` and checks the plain ok reply. */
export async function joinOk(socket: RawSocket, joinRef: string, topic: string, params: object = {}): Promise<void> {
  socket.send(join(joinRef, topic, params));
  expect(await socket.nextJson()).toEqual(ok(joinRef, joinRef, topic));
}

/** The next `count` text frames, parsed, in arrival order. */
export async function nextJsons(socket: RawSocket, count: number): Promise<unknown[]> {
  const frames: unknown[] = [];
  for (let i = 0; i < count; i++) frames.push(await socket.nextJson());
  return frames;
}

/** The socket still answers a heartbeat (V2). */
export async function expectAlive(socket: RawSocket): Promise<void> {
  socket.send(heartbeat('alive'));
  expect(await socket.nextJson()).toEqual(heartbeatReply('alive'));
}
