import type { Logger } from '../logger.ts';
import { silentLogger } from '../logger.ts';
import type { Payload } from '../message.ts';
import { dispatch } from './fastlane.ts';
import type { BroadcastOptions, PubSub, Subscriber } from './pubsub.ts';

/** PubSub for a single node: subscribers kept in memory, delivery synchronous. */
export class LocalPubSub implements PubSub {
  readonly #topics = new Map<string, Set<Subscriber>>();
  readonly #logger: Logger;

  constructor(logger: Logger = silentLogger) {
    this.#logger = logger;
  }

  subscribe(topic: string, subscriber: Subscriber): void {
    let subscribers = this.#topics.get(topic);
    if (!subscribers) {
      subscribers = new Set();
      this.#topics.set(topic, subscribers);
    }
    subscribers.add(subscriber);
  }

  unsubscribe(topic: string, subscriber: Subscriber): void {
    const subscribers = this.#topics.get(topic);
    if (!subscribers) return;
    subscribers.delete(subscriber);
    if (subscribers.size === 0) this.#topics.delete(topic);
  }

  broadcast(topic: string, event: string, payload: Payload, options: BroadcastOptions = {}): void {
    const subscribers = this.#topics.get(topic);
    if (!subscribers) return;
    const failures = dispatch(subscribers, { topic, event, payload }, options.exceptId);
    for (const error of failures) this.#logger.error({ err: error, topic, event }, 'broadcast delivery failed');
  }

  /** A single node has no other nodes: local delivery is all of it. */
  broadcastLocal(topic: string, event: string, payload: Payload, options: BroadcastOptions = {}): void {
    this.broadcast(topic, event, payload, options);
  }

  subscriberCount(topic: string): number {
    return this.#topics.get(topic)?.size ?? 0;
  }
}
