import type { Redis } from 'ioredis';
import type { Subscriber } from './pubsub.ts';

/** Channels per SUBSCRIBE when re-subscribing everything after a reconnect. */
const RESUBSCRIBE_BATCH = 1_000;

/** Settles once Redis has confirmed a topic's subscription; a new one replaces it after each outage. */
interface Confirmation {
  readonly promise: Promise<void>;
  settled: boolean;
  resolve(): void;
  reject(error: Error): void;
}

interface TopicSubscription {
  readonly subscribers: Set<Subscriber>;
  confirmation: Confirmation;
}

const ignore = (): void => {};

function newConfirmation(): Confirmation {
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  // A confirmation nobody waits for may be rejected (unsubscribed early, closed): not an error.
  promise.catch(ignore);
  const confirmation: Confirmation = {
    promise,
    settled: false,
    resolve: () => {
      confirmation.settled = true;
      resolve();
    },
    reject: (error) => {
      confirmation.settled = true;
      reject(error);
    },
  };
  return confirmation;
}

/**
 * This node's subscribers per topic, mirrored on the subscriber connection as one Redis channel per
 * topic: SUBSCRIBE with the first local subscriber, UNSUBSCRIBE with the last. Commands on one
 * connection run in order, so a quick unsubscribe-subscribe sequence ends in the right state.
 * Nothing is sent while the connection is down; `restore` subscribes every topic once it is back.
 */
export class RedisSubscriptions {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #topics = new Map<string, TopicSubscription>();
  /** Bumped at each connection loss: a confirmation from an older connection counts for nothing. */
  #epoch = 0;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  subscribers(topic: string): ReadonlySet<Subscriber> | undefined {
    return this.#topics.get(topic)?.subscribers;
  }

  count(topic: string): number {
    return this.#topics.get(topic)?.subscribers.size ?? 0;
  }

  add(topic: string, subscriber: Subscriber): void {
    const existing = this.#topics.get(topic);
    if (existing) {
      existing.subscribers.add(subscriber);
      return;
    }
    const subscription: TopicSubscription = { subscribers: new Set([subscriber]), confirmation: newConfirmation() };
    this.#topics.set(topic, subscription);
    if (this.#redis.status === 'ready') this.#subscribe(topic, subscription);
  }

  remove(topic: string, subscriber: Subscriber): void {
    const subscription = this.#topics.get(topic);
    if (!subscription?.subscribers.delete(subscriber) || subscription.subscribers.size > 0) return;
    this.#topics.delete(topic);
    if (!subscription.confirmation.settled) {
      subscription.confirmation.reject(new Error(`unsubscribed from "${topic}" before Redis confirmed it`));
    }
    if (this.#redis.status === 'ready') this.#redis.unsubscribe(this.#prefix + topic).catch(ignore);
  }

  /** Rejects for a topic without local subscribers. */
  confirmed(topic: string): Promise<void> {
    const subscription = this.#topics.get(topic);
    if (!subscription) return Promise.reject(new Error(`no local subscriber on "${topic}"`));
    return subscription.confirmation.promise;
  }

  /** The connection dropped: Redis forgot every subscription, each must be confirmed again. */
  lost(): void {
    this.#epoch++;
    for (const subscription of this.#topics.values()) {
      if (subscription.confirmation.settled) subscription.confirmation = newConfirmation();
    }
  }

  /**
   * The connection is up: subscribes every topic. Resolves true once Redis confirmed them all,
   * false if the connection dropped meanwhile; throws what the SUBSCRIBE threw.
   */
  async restore(): Promise<boolean> {
    const epoch = this.#epoch;
    const entries = [...this.#topics];
    for (let start = 0; start < entries.length; start += RESUBSCRIBE_BATCH) {
      const batch = entries.slice(start, start + RESUBSCRIBE_BATCH);
      await this.#redis.subscribe(...batch.map(([topic]) => this.#prefix + topic));
    }
    if (epoch !== this.#epoch) return false;
    for (const [topic, subscription] of entries) {
      if (this.#topics.get(topic) === subscription) subscription.confirmation.resolve();
    }
    return true;
  }

  /** Closing: nothing will be confirmed any more. */
  rejectAll(error: Error): void {
    for (const subscription of this.#topics.values()) {
      if (!subscription.confirmation.settled) subscription.confirmation.reject(error);
    }
  }

  #subscribe(topic: string, subscription: TopicSubscription): void {
    const epoch = this.#epoch;
    this.#redis.subscribe(this.#prefix + topic).then(() => {
      if (epoch === this.#epoch && this.#topics.get(topic) === subscription) subscription.confirmation.resolve();
    }, ignore);
  }
}
