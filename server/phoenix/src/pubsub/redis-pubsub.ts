import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { silentLogger } from '../logger.ts';
import type { Payload } from '../message.ts';
import type { ClusterPubSub } from './cluster-pubsub.ts';
import { dispatch } from './fastlane.ts';
import type { BroadcastOptions, Subscriber } from './pubsub.ts';
import {
  closeRedis,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_RECONNECT_MAX_DELAY_MS,
  DEFAULT_RECONNECT_MIN_DELAY_MS,
  openRedis,
  redactUrl,
} from './redis-connection.ts';
import { decodeEnvelope, encodeEnvelope } from './redis-envelope.ts';
import { RedisSubscriptions } from './redis-subscriptions.ts';

export const DEFAULT_CHANNEL_PREFIX = 'phx:';

export interface RedisPubSubOptions {
  /** `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. */
  url: string;
  /** Unique within the cluster. Default: a random id, different for each process. */
  nodeId?: string;
  /** Prepended to each topic to name its Redis channel. Default `'phx:'`. */
  channelPrefix?: string;
  logger?: Logger;
  /** `connect` gives up after this long. Default `DEFAULT_CONNECT_TIMEOUT_MS` (5000). */
  connectTimeoutMs?: number;
  /** First reconnect pause, doubling per failed attempt. Default `DEFAULT_RECONNECT_MIN_DELAY_MS` (100). */
  reconnectMinDelayMs?: number;
  /** Cap of the reconnect pause. Default `DEFAULT_RECONNECT_MAX_DELAY_MS` (2000). */
  reconnectMaxDelayMs?: number;
}

/** Running totals since `connect`, for metrics and benchmarks. */
export interface RedisPubSubStats {
  /** Envelopes handed to Redis. */
  published: number;
  publishedBytes: number;
  /** Envelopes received from other nodes (this node's own echoes are not counted). */
  received: number;
  receivedBytes: number;
  /** Broadcasts whose copy for the other nodes was lost: Redis unreachable, or the envelope unencodable. */
  dropped: number;
}

/**
 * PubSub for a cluster of nodes sharing one Redis, like Phoenix.PubSub's Redis adapter. Each topic
 * is a Redis channel (`channelPrefix + topic`) that a node subscribes to while it has local
 * subscribers. A broadcast is delivered to the local subscribers at once, then published as one
 * envelope (`redis-envelope.ts`); every other node dispatches it to its own subscribers, encoding
 * it once per serializer there too. A node ignores its own envelopes when Redis echoes them.
 *
 * Two connections: a subscribed Redis connection cannot publish. While Redis is unreachable,
 * broadcasts reach this node only, the remote copies are counted as `dropped`, and both
 * connections keep reconnecting with capped exponential backoff.
 */
export class RedisPubSub implements ClusterPubSub {
  readonly nodeId: string;
  readonly #url: string;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #subscriptions: RedisSubscriptions;
  readonly #listeners = new Set<(connected: boolean) => void>();
  readonly #stats: RedisPubSubStats = { published: 0, publishedBytes: 0, received: 0, receivedBytes: 0, dropped: 0 };
  readonly #reconnectMaxDelayMs: number;
  #resubscribeTimer: NodeJS.Timeout | undefined;
  #publisherReady = false;
  #subscriberReady = false;
  #connected = false;
  #everConnected = false;
  #closed = false;
  /** The first connection is not announced to listeners (there are none yet): `connect` awaits this. */
  readonly #firstConnection = Promise.withResolvers<void>();
  /** `dropped` when the connection was lost, to report how many broadcasts the outage cost. */
  #droppedAtLoss = 0;

  /** Connects both connections; throws if Redis cannot be reached within `connectTimeoutMs`. */
  static async connect(options: RedisPubSubOptions): Promise<RedisPubSub> {
    const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const pubsub = new RedisPubSub(options, timeoutMs);
    if (await pubsub.#whenConnected(timeoutMs)) return pubsub;
    await pubsub.close();
    throw new Error(`Redis at ${redactUrl(options.url)} is unreachable: no connection after ${timeoutMs} ms`);
  }

  private constructor(options: RedisPubSubOptions, connectTimeoutMs: number) {
    this.nodeId = options.nodeId ?? randomUUID();
    if (this.nodeId === '') throw new RangeError('nodeId must not be empty');
    for (const [name, value] of Object.entries({
      connectTimeoutMs,
      reconnectMinDelayMs: options.reconnectMinDelayMs,
      reconnectMaxDelayMs: options.reconnectMaxDelayMs,
    })) {
      if (value !== undefined && !(value > 0))
        throw new RangeError(`${name} must be a positive number of milliseconds`);
    }
    this.#url = redactUrl(options.url);
    this.#prefix = options.channelPrefix ?? DEFAULT_CHANNEL_PREFIX;
    this.#logger = options.logger ?? silentLogger;
    this.#reconnectMaxDelayMs = options.reconnectMaxDelayMs ?? DEFAULT_RECONNECT_MAX_DELAY_MS;
    const connection = (role: string) =>
      openRedis({
        url: options.url,
        name: `phx-pubsub:${this.nodeId}:${role}`,
        connectTimeoutMs,
        reconnectMinDelayMs: options.reconnectMinDelayMs ?? DEFAULT_RECONNECT_MIN_DELAY_MS,
        reconnectMaxDelayMs: this.#reconnectMaxDelayMs,
        logger: this.#logger,
      });
    this.#publisher = connection('pub');
    this.#subscriber = connection('sub');
    this.#subscriptions = new RedisSubscriptions(this.#subscriber, this.#prefix);

    this.#publisher.on('ready', () => {
      this.#publisherReady = true;
      this.#updateConnected();
    });
    this.#publisher.on('close', () => {
      this.#publisherReady = false;
      this.#updateConnected();
    });
    this.#subscriber.on('ready', () => void this.#resubscribe());
    this.#subscriber.on('close', () => {
      this.#subscriberReady = false;
      this.#subscriptions.lost();
      this.#updateConnected();
    });
    this.#subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.#receive(message));
  }

  /** Both connections up and every topic subscribed. */
  get connected(): boolean {
    return this.#connected;
  }

  /** The live counters (not a copy): read them whenever needed. */
  get stats(): Readonly<RedisPubSubStats> {
    return this.#stats;
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    // Wrapped: the same function added twice is two listeners, each removed by its own function.
    const entry = (connected: boolean) => listener(connected);
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  subscribe(topic: string, subscriber: Subscriber): void {
    this.#subscriptions.add(topic, subscriber);
  }

  unsubscribe(topic: string, subscriber: Subscriber): void {
    this.#subscriptions.remove(topic, subscriber);
  }

  /** Resolves once Redis has confirmed this node's subscription of the topic (again, after an outage). */
  subscribed(topic: string): Promise<void> {
    return this.#subscriptions.confirmed(topic);
  }

  subscriberCount(topic: string): number {
    return this.#subscriptions.count(topic);
  }

  broadcast(topic: string, event: string, payload: Payload, options: BroadcastOptions = {}): void {
    this.broadcastLocal(topic, event, payload, options);
    this.#publish(topic, event, payload, options.exceptId);
  }

  broadcastLocal(topic: string, event: string, payload: Payload, options: BroadcastOptions = {}): void {
    this.#dispatch(topic, event, payload, options.exceptId);
  }

  /** Stops reconnecting and closes both connections; pending `subscribed` promises reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#connected = false;
    clearTimeout(this.#resubscribeTimer);
    this.#subscriptions.rejectAll(new Error('the PubSub was closed'));
    await Promise.all([closeRedis(this.#publisher), closeRedis(this.#subscriber)]);
  }

  #publish(topic: string, event: string, payload: Payload, exceptId: string | undefined): void {
    if (this.#closed || this.#publisher.status !== 'ready') {
      this.#stats.dropped++;
      return;
    }
    let envelope: Buffer;
    try {
      envelope = encodeEnvelope({ origin: this.nodeId, topic, event, exceptId, payload });
    } catch (error) {
      this.#stats.dropped++;
      this.#logger.error({ err: error, topic, event }, 'broadcast could not be encoded for the other nodes');
      return;
    }
    this.#stats.published++;
    this.#stats.publishedBytes += envelope.length;
    this.#publisher.publish(this.#prefix + topic, envelope).catch(() => {
      // Lost with the connection; the outage itself is logged once.
      this.#stats.dropped++;
    });
  }

  #receive(message: Buffer): void {
    if (this.#closed) return;
    let envelope: ReturnType<typeof decodeEnvelope>;
    try {
      envelope = decodeEnvelope(message);
    } catch (error) {
      this.#logger.warn({ err: error, bytes: message.length }, 'ignored a malformed PubSub message');
      return;
    }
    if (envelope.origin === this.nodeId) return;
    this.#stats.received++;
    this.#stats.receivedBytes += message.length;
    this.#dispatch(envelope.topic, envelope.event, envelope.payload, envelope.exceptId);
  }

  #dispatch(topic: string, event: string, payload: Payload, exceptId: string | undefined): void {
    const subscribers = this.#subscriptions.subscribers(topic);
    if (!subscribers) return;
    const failures = dispatch(subscribers, { topic, event, payload }, exceptId);
    for (const error of failures) this.#logger.error({ err: error, topic, event }, 'broadcast delivery failed');
  }

  async #resubscribe(): Promise<void> {
    let restored = false;
    try {
      restored = await this.#subscriptions.restore();
    } catch (error) {
      if (this.#closed || this.#subscriber.status !== 'ready') {
        // The connection dropped again; its next 'ready' retries.
        this.#logger.debug({ err: error }, 'Redis re-subscription interrupted');
        return;
      }
      // Redis refused the SUBSCRIBE itself (an ACL, say): retry at the slowest reconnect pace.
      this.#logger.error(
        { err: error, url: this.#url },
        'Redis refused to subscribe: this node is cut off from the cluster',
      );
      this.#resubscribeTimer = setTimeout(() => {
        if (!this.#closed && this.#subscriber.status === 'ready' && !this.#subscriberReady) void this.#resubscribe();
      }, this.#reconnectMaxDelayMs).unref();
      return;
    }
    if (!restored || this.#closed || this.#subscriber.status !== 'ready') return;
    this.#subscriberReady = true;
    this.#updateConnected();
  }

  /** Logs once per outage and tells the listeners, on each change of the combined state. */
  #updateConnected(): void {
    const connected = !this.#closed && this.#publisherReady && this.#subscriberReady;
    if (connected === this.#connected) return;
    this.#connected = connected;
    if (!this.#everConnected) {
      this.#everConnected = true;
      this.#firstConnection.resolve();
      return;
    }
    const context = { url: this.#url, nodeId: this.nodeId };
    if (connected) {
      const dropped = this.#stats.dropped - this.#droppedAtLoss;
      this.#logger.info({ ...context, dropped }, 'Redis connection recovered: broadcasts reach the cluster again');
    } else {
      this.#droppedAtLoss = this.#stats.dropped;
      this.#logger.warn(context, 'Redis connection lost: broadcasts reach this node only until it recovers');
    }
    for (const listener of [...this.#listeners]) {
      try {
        listener(connected);
      } catch (error) {
        this.#logger.error({ err: error }, 'connection listener threw');
      }
    }
  }

  /** Resolves true once connected for the first time, false after `timeoutMs`. */
  async #whenConnected(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.#firstConnection.promise.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
