import { Event } from '../constants.ts';
import type { PubSub } from '../pubsub/pubsub.ts';
import { PresenceStore } from './presence-store.ts';
import type { PresenceState, PresenceTracker } from './presence-tracker.ts';

/** Presence for a single node: state in memory, diffs broadcast through the given PubSub. */
export class LocalPresenceTracker implements PresenceTracker {
  readonly #store: PresenceStore;

  constructor(pubsub: PubSub) {
    this.#store = new PresenceStore((topic, diff) => pubsub.broadcast(topic, Event.presenceDiff, diff));
  }

  track(ownerId: string, topic: string, key: string, meta: object): string {
    return this.#store.track(ownerId, topic, key, meta);
  }

  update(ownerId: string, topic: string, key: string, meta: object): string {
    return this.#store.update(ownerId, topic, key, meta);
  }

  untrack(ownerId: string, topic: string, key: string): void {
    this.#store.untrack(ownerId, topic, key);
  }

  untrackAll(ownerId: string): void {
    this.#store.untrackAll(ownerId);
  }

  list(topic: string): PresenceState {
    return this.#store.list(topic);
  }
}
