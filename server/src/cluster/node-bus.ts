import { randomUUID } from 'node:crypto';
import type { Broadcast, Logger, Payload, PubSub, Subscriber } from '@starcatch/phoenix';

/** A request to another node that has no answer after this long fails (the node may be gone). */
export const DEFAULT_NODE_REQUEST_TIMEOUT_MS = 3_000;

/** The PubSub topic a node listens on for messages addressed to it. */
export const nodeTopic = (node: string): string => `cluster_node:${node}`;

const REPLY = 'reply';
const REQUEST_PREFIX = 'request:';

/** One-way JSON message from `from`. */
export type MessageHandler = (body: Record<string, unknown>, from: string) => void;
/** One-way binary message (per-tick traffic: no sender, no JSON). */
export type BytesHandler = (bytes: Uint8Array) => void;
/** Answers a request; a throw becomes an error on the asking side. */
export type RequestHandler = (body: Record<string, unknown>, from: string) => unknown;

interface JsonEnvelope {
  readonly from: string;
  readonly body: Record<string, unknown>;
  readonly id?: string;
}

interface ReplyEnvelope {
  readonly id: string;
  readonly ok: boolean;
  readonly body?: unknown;
  readonly error?: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
}

/** A node did not answer a request in time, or answered with an error. */
export class NodeRequestError extends Error {
  override readonly name = 'NodeRequestError';
}

/**
 * Messages between the nodes of a cluster, addressed to one node, over the cluster's PubSub: each
 * node subscribes to its own topic. Kinds are plain strings; JSON messages carry their sender,
 * binary ones (relayed game traffic) carry only their bytes. `request` adds an id and waits for
 * the matching reply. A message to this node never leaves the process.
 */
export class NodeBus implements Subscriber {
  readonly id = `node-bus:${randomUUID()}`;
  readonly node: string;
  readonly #pubsub: PubSub;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #messages = new Map<string, MessageHandler>();
  readonly #bytes = new Map<string, BytesHandler>();
  readonly #requests = new Map<string, RequestHandler>();
  readonly #pending = new Map<string, Pending>();

  constructor(pubsub: PubSub, node: string, logger: Logger, timeoutMs = DEFAULT_NODE_REQUEST_TIMEOUT_MS) {
    this.#pubsub = pubsub;
    this.node = node;
    this.#logger = logger;
    this.#timeoutMs = timeoutMs;
    pubsub.subscribe(nodeTopic(node), this);
  }

  onMessage(kind: string, handler: MessageHandler): void {
    this.#messages.set(kind, handler);
  }

  onBytes(kind: string, handler: BytesHandler): void {
    this.#bytes.set(kind, handler);
  }

  onRequest(kind: string, handler: RequestHandler): void {
    this.#requests.set(REQUEST_PREFIX + kind, handler);
  }

  send(node: string, kind: string, body: Record<string, unknown>): void {
    const envelope: JsonEnvelope = { from: this.node, body };
    this.#publish(node, kind, envelope);
  }

  sendBytes(node: string, kind: string, bytes: Uint8Array): void {
    this.#publish(node, kind, bytes);
  }

  /** Asks `node`; resolves with its answer, rejects with `NodeRequestError` on an error or timeout. */
  request(node: string, kind: string, body: Record<string, unknown>): Promise<unknown> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new NodeRequestError(`node ${node} did not answer "${kind}" within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      const envelope: JsonEnvelope = { from: this.node, body, id };
      this.#publish(node, REQUEST_PREFIX + kind, envelope);
    });
  }

  /** Stops listening; pending requests fail. */
  dispose(): void {
    this.#pubsub.unsubscribe(nodeTopic(this.node), this);
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new NodeRequestError('the node bus was closed'));
      this.#pending.delete(id);
    }
  }

  deliver({ event, payload }: Broadcast): void {
    if (payload instanceof Uint8Array) {
      this.#bytes.get(event)?.(payload);
      return;
    }
    if (event === REPLY) {
      this.#settle(payload as ReplyEnvelope);
      return;
    }
    const envelope = payload as JsonEnvelope;
    const requestHandler = this.#requests.get(event);
    if (requestHandler && envelope.id !== undefined) {
      void this.#answer(requestHandler, envelope, envelope.id);
      return;
    }
    const handler = this.#messages.get(event);
    if (!handler) {
      this.#logger.warn({ event, from: envelope.from }, 'cluster message of an unknown kind ignored');
      return;
    }
    handler(envelope.body, envelope.from);
  }

  async #answer(handler: RequestHandler, envelope: JsonEnvelope, id: string): Promise<void> {
    let reply: ReplyEnvelope;
    try {
      reply = { id, ok: true, body: await handler(envelope.body, envelope.from) };
    } catch (error) {
      this.#logger.error({ err: error, from: envelope.from }, 'cluster request failed');
      reply = { id, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    this.#publish(envelope.from, REPLY, reply);
  }

  #settle(reply: ReplyEnvelope): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return; // timed out already
    this.#pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.body);
    else pending.reject(new NodeRequestError(reply.error ?? 'request failed'));
  }

  #publish(node: string, event: string, payload: Payload): void {
    // A message to this node is delivered here and now; no copy goes through Redis.
    if (node === this.node) this.#pubsub.broadcastLocal(nodeTopic(node), event, payload);
    else this.#pubsub.broadcast(nodeTopic(node), event, payload);
  }
}
