import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CloseCode } from '../catalog.ts';
import { DEFAULT_SOCKET_PATH, TransportPath } from '../constants.ts';
import type { Logger } from '../logger.ts';
import type { Frame } from '../message.ts';
import type { PhoenixSocket } from '../phoenix-socket.ts';
import { negotiateSerializer } from '../serializers/negotiate.ts';
import {
  type ConnectionLimits,
  DEFAULT_MAX_QUEUED_MESSAGES,
  DEFAULT_MAX_SEND_BACKLOG_BYTES,
  type SocketConnection,
  type Transport,
} from '../socket-connection.ts';
import type { OriginCheck } from './handshake.ts';
import { originAllowed, queryParams } from './handshake.ts';
import { BadBatchError, framesOfBody, textOnly } from './longpoll-frames.ts';
import { DEFAULT_RELAY_TIMEOUT_MS, LongPollRelay, type PollClient, type RelayedBody } from './longpoll-relay.ts';
import { DEFAULT_MAX_FRAME_SIZE } from './websocket-transport.ts';

export interface LongPollTransportOptions<Assigns extends object> {
  readonly socket: PhoenixSocket<Assigns>;
  /** Mount path; LongPoll lives at `<path>/longpoll`. Default `/socket`. */
  readonly path?: string;
  /** Allowed `Origin` values, a predicate, or `false` to allow any. Default `false`. */
  readonly checkOrigin?: OriginCheck;
  /** Largest inbound frame in bytes (after base64 decoding); a larger one ends the session. Default 128 KiB. */
  readonly maxFrameSize?: number;
  /** How long a poll waits for a message before it is answered 204. Default 10 000 (Phoenix's `window_ms`). */
  readonly windowMs?: number;
  /** A session with no request in flight for this long is closed. Default 15 000. */
  readonly idleTimeoutMs?: number;
  /**
   * Close a session with 1013 once more than this many bytes wait for a poll to take them. Default
   * `DEFAULT_MAX_SEND_BACKLOG_BYTES`, as on the WebSocket.
   */
  readonly maxSendBacklogBytes?: number;
  /** As on the WebSocket: messages a session and each of its channels may hold. Default 100. */
  readonly maxQueuedMessages?: number;
  /**
   * Sessions live on the node that opened them. Set in a cluster whose nodes share an address
   * without sticky sessions (`WORKERS > 1`): a request that reaches another node is relayed to the
   * session's node over the socket's PubSub, as Phoenix does. Default `false`.
   */
  readonly relayAcrossNodes?: boolean;
  /** With `relayAcrossNodes`: a node that has not answered a relayed request within this long is taken as gone. Default 2 000. */
  readonly relayTimeoutMs?: number;
  /**
   * Called before `connect` for every new session: return a function to call when the session
   * ends, or `false` to refuse it (answered 403). For caps such as sessions per client address.
   */
  readonly admit?: (request: FastifyRequest) => (() => void) | false;
}

/** Phoenix's `window_ms`: below phoenix.js's own request timeout (`longpollerTimeout`, 20 s). */
export const DEFAULT_LONGPOLL_WINDOW_MS = 10_000;
/**
 * Phoenix closes a session whose last poll began more than 1.5 windows ago (15 s); this transport
 * counts from the end of the last request instead, which a client in its poll loop renews at once.
 */
export const DEFAULT_LONGPOLL_IDLE_TIMEOUT_MS = 15_000;
/**
 * A session whose poll was cut by its client (a closed tab, phoenix.js disconnecting or giving up
 * on the session) is closed this soon unless a request comes, instead of after the idle timeout:
 * phoenix.js never polls a session again after aborting one of its polls, and its presence should
 * not outlive the tab by 15 s.
 */
export const ABORTED_POLL_GRACE_MS = 2_000;
/** Phoenix reads at most about 8 MB of a POST body; a bigger body is answered `{"status": 413}`. */
export const LONGPOLL_MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * The `status` of a LongPoll answer. The HTTP status is 200 whatever this says, as with Phoenix:
 * phoenix.js reads only the body.
 */
export const LongPollStatus = {
  /** A poll with messages, or a POST whose frames were all taken. */
  ok: 200,
  /** The poll window ended with nothing to deliver: poll again. */
  noContent: 204,
  /** POST: a frame was malformed; the session is closed (WebSocket: close 1007). */
  badRequest: 400,
  /** Disallowed origin, unsupported `vsn`, or `connect` refused. */
  forbidden: 403,
  /**
   * With a token: a GET without a session token opened a new session, whose token this is.
   * Without: the session the request named is gone (expired, kicked, drained); open a new one.
   */
  gone: 410,
  /** POST: a frame over the maximum frame size; the session is closed (WebSocket: close 1009). */
  tooLarge: 413,
  serverError: 500,
} as const;
export type LongPollStatus = (typeof LongPollStatus)[keyof typeof LongPollStatus];

/** A LongPoll answer body. */
export interface LongPollBody {
  readonly status: LongPollStatus;
  readonly token?: string;
  readonly messages?: readonly string[];
}

/** phoenix.js ≥ 1.8 sends `authToken` in this header on LongPoll (on WebSocket: a subprotocol). */
const AUTH_TOKEN_HEADER = 'x-phoenix-authtoken';
/** Newer phoenix.js (not in 1.8) sends the session token in this header instead of the `token` param. */
const SESSION_TOKEN_HEADER = 'x-phoenix-longpoll-token';
/** `lp.<node>.<secret>`: a token this transport issued, whether or not its session still exists. */
const SESSION_TOKEN = /^lp\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{32}$/;

/** A poll waiting for messages: answered once, or cancelled when its client goes away. */
interface Listener {
  /** False once the client gave up on the request: its messages stay for the next poll. */
  alive(): boolean;
  answer(status: LongPollStatus, messages: readonly string[]): void;
}

interface SessionSettings {
  readonly windowMs: number;
  readonly idleTimeoutMs: number;
  readonly logger: Logger;
  forget(session: LongPollSession): void;
}

/**
 * One LongPoll client: the `Transport` of its socket connection. Outbound frames wait in a buffer
 * until a poll takes them all; a poll that finds the buffer empty waits up to `windowMs`.
 * `bufferedAmount` is the buffer's size, so a channel's `sendBacklog` works as on a WebSocket.
 */
export class LongPollSession implements Transport {
  readonly token: string;
  connection: SocketConnection<object> | undefined;
  /** The close code once closed (1012 drain, 1001 kick, 1002 idle, 1007, 1009…). */
  closeCode: number | null = null;
  readonly #settings: SessionSettings;
  readonly #release: (() => void) | undefined;
  #messages: string[] = [];
  #bytes = 0;
  #listener: Listener | null = null;
  #windowTimer: NodeJS.Timeout | undefined;
  #flushQueued = false;
  #requests = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  /** The last poll was cut by the client: wait `ABORTED_POLL_GRACE_MS`, not the idle timeout. */
  #aborted = false;

  constructor(token: string, settings: SessionSettings, release: (() => void) | undefined) {
    this.token = token;
    this.#settings = settings;
    this.#release = release;
    this.#startIdleTimer();
  }

  get bufferedAmount(): number {
    return this.#bytes;
  }

  get closed(): boolean {
    return this.closeCode !== null;
  }

  send(frame: Frame): void {
    if (this.closed) return;
    if (typeof frame !== 'string') {
      // `textOnly` serializers never produce bytes; nothing phoenix.js could decode would anyway.
      this.#settings.logger.warn({ connection: this.connection?.id }, 'binary frame dropped on a LongPoll session');
      return;
    }
    this.#messages.push(frame);
    this.#bytes += Buffer.byteLength(frame);
    // Frames written in the same turn of the event loop (a reply and its broadcasts) go out together.
    if (this.#listener && !this.#flushQueued) {
      this.#flushQueued = true;
      setImmediate(() => this.#flush());
    }
  }

  /** Server-side close: a waiting poll learns at once that the session is gone; unsent frames are dropped. */
  close(code: number): void {
    if (this.closed) return;
    this.closeCode = code;
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#windowTimer);
    this.#settings.forget(this);
    this.#release?.();
    const listener = this.#listener;
    this.#listener = null;
    this.#messages = [];
    this.#bytes = 0;
    listener?.answer(LongPollStatus.gone, []);
  }

  /** A request of this session starts: the session is not idle while one is in flight. */
  begin(): void {
    this.#requests++;
    this.#aborted = false;
    clearTimeout(this.#idleTimer);
  }

  /** A request ends; `aborted`: its client cut it, so the session is probably abandoned. */
  end(aborted = false): void {
    this.#requests--;
    if (aborted) this.#aborted = true;
    if (this.#requests === 0 && !this.closed) this.#startIdleTimer();
  }

  /** Answers the poll with the buffered frames, or when one arrives, or with 204 after the window. */
  listen(listener: Listener): void {
    const previous = this.#listener;
    if (previous) {
      // Superseded: its frames go to the newer poll.
      this.#listener = null;
      clearTimeout(this.#windowTimer);
      previous.answer(LongPollStatus.noContent, []);
    }
    if (this.closed) {
      listener.answer(LongPollStatus.gone, []);
      return;
    }
    if (this.#messages.length > 0) {
      this.#deliver(listener);
      return;
    }
    this.#listener = listener;
    this.#windowTimer = setTimeout(() => {
      if (this.#listener !== listener) return;
      this.#listener = null;
      listener.answer(LongPollStatus.noContent, []);
    }, this.#settings.windowMs);
  }

  /** The poll's client went away before it was answered. */
  cancel(listener: Listener): void {
    if (this.#listener !== listener) return;
    this.#listener = null;
    clearTimeout(this.#windowTimer);
  }

  #flush(): void {
    this.#flushQueued = false;
    const listener = this.#listener;
    if (!listener || this.#messages.length === 0) return;
    this.#listener = null;
    clearTimeout(this.#windowTimer);
    this.#deliver(listener);
  }

  #deliver(listener: Listener): void {
    if (!listener.alive()) return;
    const messages = this.#messages;
    this.#messages = [];
    this.#bytes = 0;
    listener.answer(LongPollStatus.ok, messages);
  }

  #startIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    const { idleTimeoutMs } = this.#settings;
    this.#idleTimer = setTimeout(
      () => {
        this.connection?.close(CloseCode.idleTimeout, 'idle timeout');
        // Closed before the connection was attached (cannot happen today): still free the session.
        this.close(CloseCode.idleTimeout);
      },
      this.#aborted ? Math.min(idleTimeoutMs, ABORTED_POLL_GRACE_MS) : idleTimeoutMs,
    );
  }
}

/**
 * Serves a `PhoenixSocket` over HTTP long polling at `<path>/longpoll`, compatible with Phoenix's
 * `Phoenix.Transports.LongPoll` and phoenix.js's `LongPoll` (1.5 to 1.8):
 *
 * - `GET` without a session token runs the same checks as the WebSocket handshake (origin, `vsn`,
 *   `connect` with the query params and the `X-Phoenix-AuthToken` header) and opens a session:
 *   `{"status": 410, "token": …, "messages": []}`, or `{"status": 403}` when refused.
 * - `GET ?token=<session>` polls: `{"status": 200, "token", "messages": [...]}` as soon as there is
 *   something to send, or `{"status": 204, …}` after `windowMs`; `{"status": 410}` (no token)
 *   when that session is gone (expired, kicked, drained).
 * - `POST ?token=<session>` delivers frames (ndjson batch, base64 lines for binary):
 *   `{"status": 200}`, or `{"status": 410}` when the session is gone.
 *
 * Every answer is HTTP 200 with the status in the JSON body, as Phoenix does. Sessions live in this
 * process. Closing the Fastify instance drains them with 1012, answering waiting polls at once.
 */
export async function longPollTransport<Assigns extends object>(
  fastify: FastifyInstance,
  options: LongPollTransportOptions<Assigns>,
): Promise<void> {
  const { socket } = options;
  const url = `${options.path ?? DEFAULT_SOCKET_PATH}${TransportPath.longpoll}`;
  const checkOrigin = options.checkOrigin ?? false;
  const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const limits: ConnectionLimits = {
    maxSendBacklogBytes: options.maxSendBacklogBytes ?? DEFAULT_MAX_SEND_BACKLOG_BYTES,
    maxQueuedMessages: options.maxQueuedMessages ?? DEFAULT_MAX_QUEUED_MESSAGES,
  };
  const nodeId = randomBytes(6).toString('base64url');
  const sessions = new Map<string, LongPollSession>();
  const settings: SessionSettings = {
    windowMs: options.windowMs ?? DEFAULT_LONGPOLL_WINDOW_MS,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_LONGPOLL_IDLE_TIMEOUT_MS,
    logger: socket.logger,
    forget: (session) => {
      if (sessions.get(session.token) === session) sessions.delete(session.token);
    },
  };

  // Bodies are read as text whatever their type: ndjson batches, JSON frames, XDomainRequest's text/plain.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'string', bodyLimit: Math.max(LONGPOLL_MAX_BODY_BYTES, 2 * maxFrameSize) },
    (_request, body, done) => done(null, body),
  );
  // phoenix.js throws on a body without a status it knows, and stops polling for good: never send one.
  fastify.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    const tooLarge = error.statusCode === 413 && request.method === 'POST';
    if (!tooLarge) socket.logger.error({ err: error, method: request.method }, 'longpoll request failed');
    return answer(reply, { status: tooLarge ? LongPollStatus.tooLarge : LongPollStatus.serverError });
  });
  const relay = options.relayAcrossNodes
    ? new LongPollRelay(
        socket.pubsub,
        nodeId,
        {
          poll: async (token, client) => {
            const session = sessions.get(token);
            return session ? pollSession(session, client) : { status: LongPollStatus.gone };
          },
          send: (token, body, contentType) => {
            const session = sessions.get(token);
            return session ? publishBody(session, body, contentType) : { status: LongPollStatus.gone };
          },
        },
        options.relayTimeoutMs ?? DEFAULT_RELAY_TIMEOUT_MS,
        socket.logger,
      )
    : undefined;

  fastify.addHook('preClose', (done) => {
    relay?.close();
    for (const session of [...sessions.values()]) {
      session.connection?.close(CloseCode.serverRestart, 'server restart');
    }
    // Polls just answered carry `Connection: close`; idle keep-alive connections go now, so a
    // client retrying at once finds the port closed instead of a 503 it cannot read.
    fastify.server.closeIdleConnections?.();
    done();
  });

  async function openSession(request: FastifyRequest): Promise<LongPollBody> {
    const params = queryParams(request.url);
    const serializer = negotiateSerializer(params.vsn);
    if (!serializer) return { status: LongPollStatus.forbidden };
    const release = options.admit?.(request);
    if (release === false) return { status: LongPollStatus.forbidden };
    let accepted = false;
    try {
      const authToken = request.headers[AUTH_TOKEN_HEADER];
      const result = await socket.connect({
        params,
        authToken: typeof authToken === 'string' ? authToken : undefined,
        origin: request.headers.origin,
        // A getter: most `connect`s never ask, and asking costs a getpeername per connection.
        get remoteAddress() {
          return request.ip;
        },
        vsn: serializer.vsn,
      });
      if (!result.ok) return { status: LongPollStatus.forbidden };
      const token = `lp.${nodeId}.${randomBytes(24).toString('base64url')}`;
      const session = new LongPollSession(token, settings, release);
      sessions.set(token, session);
      accepted = true;
      session.connection = socket.open(
        textOnly(serializer),
        session,
        result.assigns,
        limits,
      ) as SocketConnection<object>;
      return { status: LongPollStatus.gone, token, messages: [] };
    } finally {
      if (!accepted) release?.();
    }
  }

  async function pollSession(session: LongPollSession, client: PollClient): Promise<LongPollBody> {
    session.begin();
    let aborted = false;
    try {
      const { status, messages } = await new Promise<{ status: LongPollStatus; messages: readonly string[] }>(
        (resolve) => {
          const listener: Listener = {
            alive: () => client.alive(),
            answer: (status, messages) => resolve({ status, messages }),
          };
          client.onAbort(() => {
            aborted = true;
            session.cancel(listener);
            resolve({ status: LongPollStatus.noContent, messages: [] });
          });
          session.listen(listener);
        },
      );
      // The session ended under this poll (kick, idle, drain): 410 without a token.
      if (status === LongPollStatus.gone) return { status };
      return { status, token: session.token, messages };
    } finally {
      session.end(aborted);
    }
  }

  function publishBody(session: LongPollSession, body: string, contentType: string | undefined): LongPollBody {
    const connection = session.connection;
    if (!connection) return { status: LongPollStatus.gone };
    session.begin();
    try {
      let frames: ReturnType<typeof framesOfBody>;
      try {
        frames = framesOfBody(body, contentType);
      } catch (error) {
        if (!(error instanceof BadBatchError)) throw error;
        connection.close(CloseCode.malformedFrame, error.message);
        return { status: LongPollStatus.badRequest };
      }
      for (const frame of frames) {
        if (frame.data.length > maxFrameSize) {
          connection.close(CloseCode.frameTooLarge, 'frame too large');
          return { status: LongPollStatus.tooLarge };
        }
        connection.receive(frame.data, frame.isBinary);
        if (session.closed) break;
      }
      if (!session.closed) return { status: LongPollStatus.ok };
      return {
        status: session.closeCode === CloseCode.malformedFrame ? LongPollStatus.badRequest : LongPollStatus.gone,
      };
    } finally {
      session.end();
    }
  }

  /** The node holding a session this transport issued, when it is another node and relaying is on. */
  function remoteOwner(token: string): string | undefined {
    const owner = token.split('.')[1];
    return relay && owner !== nodeId ? owner : undefined;
  }

  fastify.route({
    method: 'GET',
    url,
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      if (!originAllowed(checkOrigin, request.headers.origin))
        return answer(reply, { status: LongPollStatus.forbidden });
      const token = sessionTokenOf(request);
      // No token, or one this transport did not issue: a new session.
      if (token === undefined || !SESSION_TOKEN.test(token)) return answer(reply, await openSession(request));
      const session = sessions.get(token);
      const owner = remoteOwner(token);
      const client = httpClient(reply);
      if (session) return answer(reply, await pollSession(session, client));
      if (owner !== undefined && relay) return answer(reply, await relay.poll(owner, token, settings.windowMs, client));
      // A session that is gone: 410 without a token, which phoenix.js ≥ 1.8.2 takes as "session
      // gone" and reconnects from scratch. Phoenix opens a new session here instead (410 with a
      // token), which older clients take as a fresh open, keeping channels it never joined.
      return answer(reply, { status: LongPollStatus.gone });
    },
  });

  fastify.route({
    method: 'POST',
    url,
    handler: async (request, reply) => {
      if (!originAllowed(checkOrigin, request.headers.origin))
        return answer(reply, { status: LongPollStatus.forbidden });
      const token = sessionTokenOf(request);
      const session = token === undefined ? undefined : sessions.get(token);
      const body = typeof request.body === 'string' ? request.body : '';
      const contentType = request.headers['content-type'];
      if (session) return answer(reply, publishBody(session, body, contentType));
      const owner = token === undefined || !SESSION_TOKEN.test(token) ? undefined : remoteOwner(token);
      if (token !== undefined && owner !== undefined && relay) {
        return answer(reply, await relay.send(owner, token, body, contentType));
      }
      return answer(reply, { status: LongPollStatus.gone });
    },
  });

  // CORS preflight (phoenix.js's `X-Phoenix-AuthToken` header triggers one cross-origin), as Phoenix
  // answers it: the origin check is what guards the socket, not CORS.
  fastify.route({
    method: 'OPTIONS',
    url,
    handler: async (request, reply) => {
      if (!originAllowed(checkOrigin, request.headers.origin))
        return answer(reply, { status: LongPollStatus.forbidden });
      const requested = request.headers['access-control-request-headers'];
      return reply
        .header('access-control-allow-origin', '*')
        .header('access-control-allow-headers', Array.isArray(requested) ? requested.join(', ') : (requested ?? ''))
        .header('access-control-allow-methods', 'get, post, options')
        .header('access-control-max-age', '3600')
        .send('');
    },
  });

  // Phoenix answers 400 to any other method.
  fastify.route({
    method: ['HEAD', 'PUT', 'PATCH', 'DELETE'],
    url,
    handler: (_request, reply) => reply.code(400).send(),
  });
}

/** A poll's HTTP client: gone when its connection closes before the answer is written. */
function httpClient(reply: FastifyReply): PollClient {
  return {
    alive: () => !reply.raw.destroyed,
    onAbort: (callback) => {
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) callback();
      });
    },
  };
}

/** Writes a body (this node's, or one relayed from the session's node). */
function answer(reply: FastifyReply, body: LongPollBody | RelayedBody): FastifyReply {
  // A session that ended (kick, idle, drain) lets its connection go too.
  if (body.status === LongPollStatus.gone && body.token === undefined) reply.header('connection', 'close');
  return reply
    .code(200)
    .header('access-control-allow-origin', '*')
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(body);
}

/** The session token: newer clients' header, else the `token` param (the last one: phoenix.js appends it). */
function sessionTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers[SESSION_TOKEN_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  const last: unknown = Array.isArray(token) ? token.at(-1) : token;
  return typeof last === 'string' && last !== '' ? last : undefined;
}
