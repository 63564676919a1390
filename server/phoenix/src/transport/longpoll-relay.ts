import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { Broadcast, PubSub, Subscriber } from '../pubsub/pubsub.ts';

/** A LongPoll answer body, as the relay carries it between nodes. */
export interface RelayedBody {
  readonly status: number;
  readonly token?: string;
  readonly messages?: readonly string[];
}

/** The client of a poll, wherever its HTTP request arrived. */
export interface PollClient {
  /** False once the client gave up on the request. */
  alive(): boolean;
  /** Called once if the client goes away before the poll is answered. */
  onAbort(callback: () => void): void;
}

/** What the node holding a session does for requests relayed to it. */
export interface RelayHandlers {
  poll(token: string, client: PollClient): Promise<RelayedBody>;
  send(token: string, body: string, contentType: string | undefined): RelayedBody;
}

/** Phoenix's `pubsub_timeout_ms`: a node that has not answered by then is taken as gone. */
export const DEFAULT_RELAY_TIMEOUT_MS = 2_000;

const GONE: RelayedBody = { status: 410 };
const NO_CONTENT: RelayedBody = { status: 204 };

const Kind = { poll: 'lp_poll', send: 'lp_send', answer: 'lp_answer', cancel: 'lp_cancel' } as const;

/** The PubSub topic a node's relay listens on. */
const inbox = (node: string): string => `phx_longpoll:${node}`;

/**
 * Carries LongPoll requests to the node that holds their session, over the socket's PubSub, as
 * Phoenix does: in a cluster whose nodes share one address without sticky sessions (`WORKERS > 1`
 * hands each TCP connection to the next worker), a session's polls and sends reach any node. The
 * node that received the request asks the owner (named in the session token) on the owner's
 * topic and answers the HTTP request with what comes back; an owner silent for the window plus
 * `timeoutMs` is taken as gone (410), and the client starts over.
 */
export class LongPollRelay implements Subscriber {
  readonly id: string;
  readonly #pubsub: PubSub;
  readonly #node: string;
  readonly #handlers: RelayHandlers;
  readonly #timeoutMs: number;
  readonly #logger: Logger;
  /** Requests this node relayed, waiting for their answer. */
  readonly #waiting = new Map<string, (body: RelayedBody) => void>();
  /** Polls relayed to this node, until answered: a cancel aborts them. */
  readonly #remotePolls = new Map<string, () => void>();

  constructor(pubsub: PubSub, node: string, handlers: RelayHandlers, timeoutMs: number, logger: Logger) {
    this.id = `phx_longpoll_relay:${node}`;
    this.#pubsub = pubsub;
    this.#node = node;
    this.#handlers = handlers;
    this.#timeoutMs = timeoutMs;
    this.#logger = logger;
    pubsub.subscribe(inbox(node), this);
  }

  /** Stops listening; requests still waiting for another node are answered 410. */
  close(): void {
    this.#pubsub.unsubscribe(inbox(this.#node), this);
    for (const finish of [...this.#waiting.values()]) finish(GONE);
    for (const abort of [...this.#remotePolls.values()]) abort();
  }

  /** A poll of a session `owner` holds, for a client of this node. */
  poll(owner: string, token: string, windowMs: number, client: PollClient): Promise<RelayedBody> {
    return this.#ask(owner, Kind.poll, { token }, windowMs + this.#timeoutMs, client);
  }

  send(owner: string, token: string, body: string, contentType: string | undefined): Promise<RelayedBody> {
    return this.#ask(owner, Kind.send, { token, body, ...(contentType && { contentType }) }, this.#timeoutMs);
  }

  deliver({ event, payload }: Broadcast): void {
    const message = payload as Record<string, unknown>;
    const id = typeof message.id === 'string' ? message.id : undefined;
    if (id === undefined) return;
    switch (event) {
      case Kind.answer:
        this.#waiting.get(id)?.(message.body as RelayedBody);
        return;
      case Kind.cancel:
        this.#remotePolls.get(id)?.();
        return;
      case Kind.poll:
      case Kind.send:
        this.#serve(event, id, message);
        return;
    }
  }

  #serve(event: string, id: string, message: Record<string, unknown>): void {
    const { from, token } = message;
    if (typeof from !== 'string' || typeof token !== 'string') return;
    const reply = (body: RelayedBody): void => this.#pubsub.broadcast(inbox(from), Kind.answer, { id, body });
    if (event === Kind.send) {
      const body = typeof message.body === 'string' ? message.body : '';
      const contentType = typeof message.contentType === 'string' ? message.contentType : undefined;
      reply(this.#handlers.send(token, body, contentType));
      return;
    }
    let aborted = false;
    let onAbort: (() => void) | undefined;
    this.#remotePolls.set(id, () => {
      if (aborted) return;
      aborted = true;
      onAbort?.();
    });
    const client: PollClient = {
      alive: () => !aborted,
      onAbort: (callback) => {
        onAbort = callback;
      },
    };
    this.#handlers.poll(token, client).then(
      (body) => {
        this.#remotePolls.delete(id);
        if (!aborted) reply(body);
      },
      (error: unknown) => {
        this.#remotePolls.delete(id);
        this.#logger.error({ err: error }, 'relayed longpoll poll failed');
        reply({ status: 500 });
      },
    );
  }

  #ask(
    owner: string,
    kind: string,
    fields: Record<string, string>,
    timeoutMs: number,
    client?: PollClient,
  ): Promise<RelayedBody> {
    const id = randomBytes(9).toString('base64url');
    return new Promise((resolve) => {
      const finish = (body: RelayedBody): void => {
        if (!this.#waiting.delete(id)) return;
        clearTimeout(timer);
        resolve(body);
      };
      const timer = setTimeout(() => finish(GONE), timeoutMs);
      this.#waiting.set(id, finish);
      client?.onAbort(() => {
        this.#pubsub.broadcast(inbox(owner), Kind.cancel, { id });
        finish(NO_CONTENT);
      });
      this.#pubsub.broadcast(inbox(owner), kind, { id, from: this.#node, ...fields });
    });
  }
}
