import { newPhxRef } from './phx-ref.ts';
import type { PresenceDiff, PresenceMeta, PresenceState } from './presence-tracker.ts';
import { AlreadyTrackedError } from './presence-tracker.ts';

type OwnerMetas = Map<string, PresenceMeta>; // ownerId → meta
type TopicKeys = Map<string, OwnerMetas>; // key → owners

/** Receives every change a store makes, as the `presence_diff` payload for its topic. */
export type DiffListener = (topic: string, diff: PresenceDiff) => void;

/**
 * The presences tracked on this node, by topic, key and owner, and the diff of each change. The
 * trackers decide where diffs go: `LocalPresenceTracker` broadcasts them, `RedisPresenceTracker`
 * also replicates them to the other nodes.
 */
export class PresenceStore {
  readonly #topics = new Map<string, TopicKeys>();
  /** ownerId → topic → keys it tracks there, for `untrackAll`. */
  readonly #owners = new Map<string, Map<string, Set<string>>>();
  readonly #onDiff: DiffListener;

  constructor(onDiff: DiffListener) {
    this.#onDiff = onDiff;
  }

  track(ownerId: string, topic: string, key: string, meta: object): string {
    const owners = this.#ownersOf(topic, key, true);
    if (owners.has(ownerId)) throw new AlreadyTrackedError(`${ownerId} already tracks "${key}" on "${topic}"`);
    const tracked: PresenceMeta = { ...meta, phx_ref: newPhxRef() };
    owners.set(ownerId, tracked);
    this.#indexOwner(ownerId, topic, key);
    this.#onDiff(topic, { joins: { [key]: { metas: [tracked] } }, leaves: {} });
    return tracked.phx_ref;
  }

  update(ownerId: string, topic: string, key: string, meta: object): string {
    const owners = this.#ownersOf(topic, key, false);
    const previous = owners?.get(ownerId);
    if (!owners || !previous) return this.track(ownerId, topic, key, meta);
    const next: PresenceMeta = { ...meta, phx_ref: newPhxRef(), phx_ref_prev: previous.phx_ref };
    owners.set(ownerId, next);
    this.#onDiff(topic, { joins: { [key]: { metas: [next] } }, leaves: { [key]: { metas: [previous] } } });
    return next.phx_ref;
  }

  untrack(ownerId: string, topic: string, key: string): void {
    const left = this.#remove(ownerId, topic, key);
    this.#owners.get(ownerId)?.get(topic)?.delete(key);
    if (left) this.#onDiff(topic, { joins: {}, leaves: { [key]: { metas: [left] } } });
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
      if (Object.keys(leaves).length > 0) this.#onDiff(topic, { joins: {}, leaves });
    }
  }

  list(topic: string): PresenceState {
    const state: PresenceState = {};
    const keys = this.#topics.get(topic);
    if (!keys) return state;
    for (const [key, owners] of keys) state[key] = { metas: [...owners.values()] };
    return state;
  }

  /** Every topic's state, for a full state transfer. */
  snapshot(): Record<string, PresenceState> {
    const topics: Record<string, PresenceState> = {};
    for (const topic of this.#topics.keys()) topics[topic] = this.list(topic);
    return topics;
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
}
