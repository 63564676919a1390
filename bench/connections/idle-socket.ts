import WebSocket from 'ws';
import {
  authTokenProtocols,
  decodeFrame,
  heartbeatFrame,
  isReply,
  joinFrame,
  replyStatus,
  SOCKET_TOPIC,
  withV2Query,
} from '../support/phoenix-frames.ts';

/** Why a socket did not end up joined. */
export type FailureKind =
  | 'refused'
  | 'reset before upgrade'
  | 'http 4xx'
  | 'http 5xx'
  | 'timeout'
  | 'join error'
  | 'closed early'
  | 'other';

/** Counters every socket of one process adds to once it is joined. */
export interface HoldCounters {
  heartbeatsSent: number;
  heartbeatsAcked: number;
  /** Frames other than heartbeat replies: an idle `user:<id>` channel should get none. */
  unexpectedFrames: number;
  /** Joined sockets that closed before the suite closed them, by close code. */
  readonly dropped: Map<number, number>;
}

export type JoinOutcome =
  | { readonly ok: true; readonly socket: IdleSocket; readonly ms: number }
  | { readonly ok: false; readonly kind: FailureKind; readonly detail: string; readonly ms: number };

export interface IdleSocketOptions {
  /** `ws://host:port/socket/websocket` */
  readonly url: string;
  readonly token: string;
  readonly topic: string;
  /** Budget from TCP connect to the join reply. */
  readonly timeoutMs: number;
  readonly heartbeatMs: number;
  readonly counters: HoldCounters;
}

const JOIN_REF = '1';

/**
 * A client like phoenix.js left alone: V2 JSON, the token as the `authToken` subprotocol, one join
 * of its private channel, then only a heartbeat every `heartbeatMs`.
 */
export class IdleSocket {
  readonly #ws: WebSocket;
  readonly #counters: HoldCounters;
  #heartbeat: NodeJS.Timeout | undefined;
  #nextRef = 2;
  #closedByUs = false;

  private constructor(ws: WebSocket, counters: HoldCounters) {
    this.#ws = ws;
    this.#counters = counters;
  }

  /** Connects and joins; never rejects, failures come back classified. */
  static open(options: IdleSocketOptions): Promise<JoinOutcome> {
    const startedAt = performance.now();
    const ws = new WebSocket(withV2Query(options.url), authTokenProtocols(options.token));
    const socket = new IdleSocket(ws, options.counters);
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: JoinOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.off('message', onJoinReply);
        if (!outcome.ok) socket.terminate();
        resolve(outcome);
      };
      const fail = (kind: FailureKind, detail: string): void =>
        settle({ ok: false, kind, detail, ms: performance.now() - startedAt });
      const timer = setTimeout(
        () => fail('timeout', `no join reply within ${options.timeoutMs} ms`),
        options.timeoutMs,
      );

      const onJoinReply = (data: WebSocket.RawData): void => {
        const frame = decodeFrame(data.toString());
        const [, ref, topic, , payload] = frame;
        if (ref !== JOIN_REF || topic !== options.topic || !isReply(frame)) return;
        if (replyStatus(frame) !== 'ok') {
          fail('join error', JSON.stringify(payload));
          return;
        }
        settle({ ok: true, socket, ms: performance.now() - startedAt });
        socket.#hold(options.heartbeatMs);
      };
      let upgraded = false;
      ws.on('message', onJoinReply);
      ws.on('open', () => {
        upgraded = true;
        ws.send(joinFrame(JOIN_REF, options.topic));
      });
      ws.on('unexpected-response', (_request, response) => {
        const status = response.statusCode ?? 0;
        fail(status >= 500 ? 'http 5xx' : 'http 4xx', `HTTP ${status}`);
      });
      ws.on('error', (error: NodeJS.ErrnoException) => {
        if (upgraded) fail('closed early', error.code ?? error.message);
        else if (error.code === 'ECONNREFUSED') fail('refused', error.message);
        else if (error.code === 'ECONNRESET' || error.message === 'socket hang up') {
          fail('reset before upgrade', error.code ?? error.message);
        } else fail('other', error.code ?? error.message);
      });
      ws.on('close', (code) => {
        if (!settled) fail('closed early', `close ${code}`);
        else socket.#closed(code);
      });
    });
  }

  /** The suite ends the socket (not counted as dropped). */
  terminate(): void {
    this.#closedByUs = true;
    clearInterval(this.#heartbeat);
    this.#ws.terminate();
  }

  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  #hold(heartbeatMs: number): void {
    this.#ws.on('message', (data) => {
      const frame = decodeFrame(data.toString());
      if (frame[2] === SOCKET_TOPIC && isReply(frame) && replyStatus(frame) === 'ok') this.#counters.heartbeatsAcked++;
      else this.#counters.unexpectedFrames++;
    });
    this.#heartbeat = setInterval(() => {
      this.#ws.send(heartbeatFrame(String(this.#nextRef++)));
      this.#counters.heartbeatsSent++;
    }, heartbeatMs);
  }

  #closed(code: number): void {
    clearInterval(this.#heartbeat);
    if (this.#closedByUs) return;
    this.#counters.dropped.set(code, (this.#counters.dropped.get(code) ?? 0) + 1);
  }
}
