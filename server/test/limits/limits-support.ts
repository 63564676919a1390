/**
 * Clients that stand for different addresses on loopback: every request carries `X-Forwarded-For`,
 * which the server believes only when started with `TRUSTED_PROXIES=127.0.0.1`.
 */
import { request } from 'node:http';
import { TransportPath } from '@starcatch/phoenix';
import { ApiPath, SOCKET_PATH, type User } from '@starcatch/shared';
import type { SocketOptions } from '../integration/phoenix-client.ts';
import type { TestServer } from '../support/test-server.ts';

/** What an HTTP request got: status, `Retry-After`, and the JSON body (null if none). */
export interface HttpAnswer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: unknown;
}

let guests = 0;

/** `POST /api/v1/session` as a client at `address`. */
export async function signInFrom(server: TestServer, address: string): Promise<HttpAnswer> {
  const response = await fetch(`${server.httpUrl}${ApiPath.session}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ nickname: `guest${++guests}` }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: await response.json().catch(() => null),
  };
}

/** A guest signed in from `address`; throws unless the server said 201. */
export async function guestFrom(server: TestServer, address: string): Promise<{ token: string; user: User }> {
  const answer = await signInFrom(server, address);
  if (answer.status !== 201) throw new Error(`sign-in from ${address} got ${answer.status}`);
  return answer.body as { token: string; user: User };
}

/** `GET /api/v1/session` with a token, as a client at `address`. */
export async function sessionStatusFrom(server: TestServer, address: string, token: string): Promise<HttpAnswer> {
  const response = await fetch(`${server.httpUrl}${ApiPath.session}`, {
    headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': address },
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: await response.json().catch(() => null),
  };
}

/**
 * A WebSocket upgrade of the game socket as a client at `address`, read at the HTTP level (a
 * browser, and phoenix.js, never see the status of a refused upgrade). An accepted upgrade (101)
 * is closed at once.
 */
export function upgradeFrom(server: TestServer, address: string, token: string): Promise<HttpAnswer> {
  const url = new URL(`${server.httpUrl}${SOCKET_PATH}${TransportPath.websocket}`);
  url.searchParams.set('vsn', '2.0.0');
  url.searchParams.set('token', token);
  return new Promise((resolve, reject) => {
    const upgrade = request(url, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': Buffer.from('starcatch-limits').toString('base64'),
        'x-forwarded-for': address,
      },
    });
    upgrade.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve({ status: 101, retryAfter: null, body: null });
    });
    upgrade.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = null;
        try {
          body = text === '' ? null : JSON.parse(text);
        } catch {
          body = text;
        }
        const retryAfter = response.headers['retry-after'];
        resolve({ status: response.statusCode ?? 0, retryAfter: retryAfter ?? null, body });
      });
    });
    upgrade.on('error', reject);
    upgrade.end();
  });
}

/**
 * phoenix.js socket options for a client at `address`: its WebSocket sends `X-Forwarded-For`
 * (Node's WebSocket takes headers, a browser's cannot).
 */
export function fromAddress(address: string, token: string): SocketOptions {
  class ForwardedWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, { protocols: protocols ?? [], headers: { 'x-forwarded-for': address } } as unknown as string[]);
    }
  }
  return { params: { token }, transport: ForwardedWebSocket };
}

/** The error code of an `{error: {code}}` HTTP body. */
export function apiCode(body: unknown): unknown {
  return (body as { error?: { code?: unknown } } | null)?.error?.code;
}

/** The reason of a channel `{reason, message}` error reply. */
export function replyReason(response: unknown): unknown {
  return (response as { reason?: unknown } | null)?.reason;
}
