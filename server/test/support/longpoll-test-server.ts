import type { AddressInfo } from 'node:net';
import {
  type ChannelHandler,
  DEFAULT_SOCKET_PATH,
  type LongPollBody,
  type LongPollTransportOptions,
  longPollTransport,
  ok,
  PhoenixSocket,
  type PubSub,
  TransportPath,
  webSocketTransport,
} from '@starcatch/phoenix';
import Fastify, { type FastifyInstance } from 'fastify';
import { type TestAssigns, testRoomChannel, VALID_TOKEN } from './protocol-test-server.ts';

/**
 * `probe:*`, what only LongPoll tests need besides the `room:*` test channel: the join reply says
 * whether the socket can carry binary, and `bytes` answers in JSON with the bytes it got.
 */
export const probeChannel: ChannelHandler<TestAssigns> = {
  join(_topic, _params, channel) {
    return ok({ supports_binary: channel.supportsBinary });
  },
  handleIn(event, payload) {
    if (event === 'bytes') {
      return ok(payload instanceof Uint8Array ? { bytes: [...payload] } : { not_bytes: payload as object });
    }
    return ok(payload as object);
  },
};

export interface LongPollTestServer {
  readonly http: FastifyInstance;
  readonly socket: PhoenixSocket<TestAssigns>;
  readonly port: number;
  /** `ws://127.0.0.1:<port>/socket`: phoenix.js takes this endpoint for both transports. */
  readonly socketUrl: string;
  /** `http://127.0.0.1:<port>/socket/longpoll` */
  readonly longPollUrl: string;
  close(): Promise<void>;
}

export type LongPollServerOptions = Partial<Omit<LongPollTransportOptions<TestAssigns>, 'socket'>> & {
  /** Listen on this port (a restarted server comes back on the same one); default any free port. */
  readonly port?: number;
  /** Shared by several servers in one test, they stand for the nodes of a cluster. */
  readonly pubsub?: PubSub;
};

/**
 * The protocol test socket (`room:*`, `probe:*`; token `valid-token` as the `token` param or
 * `authToken`) served over both LongPoll and WebSocket, so tests can mix the two transports.
 */
export async function startLongPollTestServer(options: LongPollServerOptions = {}): Promise<LongPollTestServer> {
  const { port: wantedPort = 0, pubsub, ...transportOptions } = options;
  const socket = new PhoenixSocket<TestAssigns>({
    connect({ params, authToken }) {
      const token = authToken ?? params.token;
      if (token !== VALID_TOKEN) return { ok: false };
      return { ok: true, assigns: { userId: params.user ?? 'anonymous' } };
    },
    id: ({ userId }) => `user_socket:${userId}`,
    channels: { 'room:*': testRoomChannel, 'probe:*': probeChannel },
    ...(pubsub && { pubsub }),
  });
  const http = Fastify({ logger: false });
  await http.register(webSocketTransport<TestAssigns>, { socket, path: DEFAULT_SOCKET_PATH });
  await http.register(longPollTransport<TestAssigns>, { socket, path: DEFAULT_SOCKET_PATH, ...transportOptions });
  await http.listen({ port: wantedPort, host: '127.0.0.1' });
  const { port } = http.server.address() as AddressInfo;
  return {
    http,
    socket,
    port,
    socketUrl: `ws://127.0.0.1:${port}${DEFAULT_SOCKET_PATH}`,
    longPollUrl: `http://127.0.0.1:${port}${DEFAULT_SOCKET_PATH}${TransportPath.longpoll}`,
    async close() {
      // Waiting polls are answered by the drain at once; a connection fetch opened and never used
      // would hold `close` until the server's request timeout, so it is cut after a moment.
      const force = setTimeout(() => http.server.closeAllConnections(), FORCE_CLOSE_AFTER_MS);
      await http.close();
      clearTimeout(force);
    },
  };
}

const FORCE_CLOSE_AFTER_MS = 500;

/** One raw LongPoll exchange: the HTTP status, the headers and the parsed body. */
export interface LongPollResponse {
  readonly httpStatus: number;
  readonly headers: Headers;
  readonly body: LongPollBody;
}

/**
 * A hand-driven LongPoll client, for conformance tests: it sends exactly what it is told. `token`
 * after `open` is the session token, sent back as phoenix.js 1.8 does (`?token=`).
 */
export class RawLongPoll {
  readonly url: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  token: string | undefined;
  readonly #unread: unknown[] = [];

  constructor(url: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) {
    this.url = url;
    this.query = query;
    this.headers = headers;
  }

  /** The first GET: resolves with the body, keeping the token of a new session (`status` 410). */
  async open(): Promise<LongPollBody> {
    const response = await this.get();
    if (response.body.status === 410 && response.body.token) this.token = response.body.token;
    return response.body;
  }

  /** A GET (a poll once there is a token). */
  get(init: { signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<LongPollResponse> {
    return this.#request('GET', undefined, init.headers, init.signal);
  }

  /**
   * The next `count` messages, parsed, polling as often as needed (204s are polled again); messages
   * a poll returned beyond `count` are kept for the next call. Fails after `timeoutMs`.
   */
  async take(count: number, timeoutMs = 5_000): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.#unread.length < count) {
      if (Date.now() > deadline) throw new Error(`${this.#unread.length} of ${count} messages after ${timeoutMs} ms`);
      const { body } = await this.get();
      if (body.status === 204) continue;
      if (body.status !== 200) throw new Error(`poll answered ${JSON.stringify(body)}`);
      for (const message of body.messages ?? []) this.#unread.push(JSON.parse(message));
    }
    return this.#unread.splice(0, count);
  }

  /** POSTs frames as phoenix.js ≥ 1.7 does: ndjson, binary frames as base64 lines. */
  post(frames: readonly (string | Uint8Array)[], headers: Record<string, string> = {}): Promise<LongPollResponse> {
    const lines = frames.map((frame) => (typeof frame === 'string' ? frame : Buffer.from(frame).toString('base64')));
    return this.#request('POST', lines.join('\n'), { 'content-type': 'application/x-ndjson', ...headers });
  }

  /** POSTs one raw body with the given content type (phoenix.js ≤ 1.6 sends one frame as `application/json`). */
  postRaw(body: string, contentType: string): Promise<LongPollResponse> {
    return this.#request('POST', body, { 'content-type': contentType });
  }

  async #request(
    method: string,
    body: string | undefined,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<LongPollResponse> {
    const query = new URLSearchParams(this.query);
    if (this.token !== undefined) query.append('token', this.token);
    const response = await fetch(`${this.url}?${query}`, {
      method,
      headers: { accept: 'application/json', ...this.headers, ...headers },
      ...(body !== undefined && { body }),
      ...(signal && { signal }),
    });
    const text = await response.text();
    return { httpStatus: response.status, headers: response.headers, body: JSON.parse(text) as LongPollBody };
  }
}
