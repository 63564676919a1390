import { Event } from '../constants.ts';
import type { PubSub } from '../pubsub/pubsub.ts';
import { newPhxRef } from './phx-ref.ts';
import type { PresenceDiff, PresenceMeta, PresenceState, PresenceTracker } from './presence-tracker.ts';
import { AlreadyTrackedError } from './presence-tracker.ts';

type OwnerMetas = Map<string, PresenceMeta>; // ownerId → meta
type TopicKeys = Map<string, OwnerMetas>; // key → owners

/** Presence for a single node: state in memory, diffs broadcast through the given PubSub. */
export class LocalPresenceTracker implements PresenceTracker {
  readonly #topics = new Map<string, TopicKeys>();
  /** ownerId → topic → keys it tracks there, for `untrackAll`. */
  readonly #owners = new Map<string, Map<string, Set<string>>>();
  readonly #pubsub: PubSub;

  constructor(pubsub: PubSub) {
    this.#pubsub = pubsub;
  }

  track(ownerId: string, topic: string, key: string, meta: object): string {
    const owners = this.#ownersOf(topic, key, true);
    if (owners.has(ownerId)) throw new AlreadyTrackedError(`${ownerId} already tracks "${key}" on "${topic}"`);
    const tracked: PresenceMeta = { ...meta, phx_ref: newPhxRef() };
    owners.set(ownerId, tracked);
    this.#indexOwner(ownerId, topic, key);
    this.#broadcastDiff(topic, { joins: { [key]: { metas: [tracked] } }, leaves: {} });
    return tracked.phx_ref;
  }

  update(ownerId: string, topic: string, key: string, meta: object): string {
    const owners = this.#ownersOf(topic, key, false);
    const previous = owners?.get(ownerId);
    if (!owners || !previous) return this.track(ownerId, topic, key, meta);
    const next: PresenceMeta = { ...meta, phx_ref: newPhxRef(), phx_ref_prev: previous.phx_ref };
    owners.set(ownerId, next);
    this.#broadcastDiff(topic, { joins: { [key]: { metas: [next] } }, leaves: { [key]: { metas: [previous] } } });
    return next.phx_ref;
  }

  untrack(ownerId: string, topic: string, key: string): void {
    const left = this.#remove(ownerId, topic, key);
    this.#owners.get(ownerId)?.get(topic)?.delete(key);
    if (left) this.#broadcastDiff(topic, { joins: {}, leaves: { [key]: { metas: [left] } } });
  }

  untrackAll(ownerId: string): void {
    const topics = this.#owners.get(ownerId);
    if (!topics) return;
    this.#owners.delete(ownerId);
    for (const [topic, keys] of topics) {
      const leaves: PresenceState = {};
      for (const key of keys) {
        const left = this.#remove(ownerId, topic, key);
        if (left) leaves[key] = { metas: [left] };
      }
      if (Object.keys(leaves).length > 0) this.#broadcastDiff(topic, { joins: {}, leaves });
    }
  }

  list(topic: string): PresenceState {
    const state: PresenceState = {};
    const keys = this.#topics.get(topic);
    if (!keys) return state;
    for (const [key, owners] of keys) state[key] = { metas: [...owners.values()] };
    return state;
  }

  #ownersOf(topic: string, key: string, create: true): OwnerMetas;
  #ownersOf(topic: string, key: string, create: false): OwnerMetas | undefined;
  #ownersOf(topic: string, key: string, create: boolean): OwnerMetas | undefined {
    let keys = this.#topics.get(topic);
    if (!keys) {
      if (!create) return undefined;
      keys = new Map();
      this.#topics.set(topic, keys);
    }
    let owners = keys.get(key);
    if (!owners && create) {
      owners = new Map();
      keys.set(key, owners);
    }
    return owners;
  }

  #indexOwner(ownerId: string, topic: string, key: string): void {
    let topics = this.#owners.get(ownerId);
    if (!topics) {
      topics = new Map();
      this.#owners.set(ownerId, topics);
    }
    let keys = topics.get(topic);
    if (!keys) {
      keys = new Set();
      topics.set(topic, keys);
    }
    keys.add(key);
  }

  /** Drops the owner's meta and any emptied key or topic; returns the removed meta. */
  #remove(ownerId: string, topic: string, key: string): PresenceMeta | undefined {
    const keys = this.#topics.get(topic);
    const owners = keys?.get(key);
    const meta = owners?.get(ownerId);
    if (!keys || !owners || !meta) return undefined;
    owners.delete(ownerId);
    if (owners.size === 0) keys.delete(key);
    if (keys.size === 0) this.#topics.delete(topic);
    return meta;
  }

  #broadcastDiff(topic: string, diff: PresenceDiff): void {
    this.#pubsub.broadcast(topic, Event.presenceDiff, diff);
  }
}
