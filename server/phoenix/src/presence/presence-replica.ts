import type { PresenceDiff, PresenceMeta, PresenceState } from './presence-tracker.ts';

type RefMetas = Map<string, PresenceMeta>; // phx_ref → meta
type TopicKeys = Map<string, RefMetas>; // key → metas

/**
 * What another node tracks, as this node last heard it. Metas are keyed by `phx_ref`: a ref names
 * one meta for good (`update` makes a new one), so two states are compared ref by ref and owners
 * never need to leave their node. Every method returns the changes it actually made, which is
 * exactly the `presence_diff` this node's subscribers must see.
 */
export class PresenceReplica {
  readonly #topics = new Map<string, TopicKeys>();

  /** Applies a diff from the owning node; undefined when it changes nothing (a duplicate). */
  apply(topic: string, diff: PresenceDiff): PresenceDiff | undefined {
    const applied: PresenceDiff = { joins: {}, leaves: {} };
    for (const [key, { metas }] of Object.entries(diff.leaves)) {
      const metasByRef = this.#topics.get(topic)?.get(key);
      for (const meta of metas) {
        const removed = metasByRef?.get(meta.phx_ref);
        if (!metasByRef || !removed) continue;
        metasByRef.delete(meta.phx_ref);
        addMeta(applied.leaves, key, removed);
      }
      if (metasByRef?.size === 0) this.#dropKey(topic, key);
    }
    for (const [key, { metas }] of Object.entries(diff.joins)) {
      for (const meta of metas) {
        const metasByRef = this.#metasOf(topic, key);
        if (metasByRef.has(meta.phx_ref)) continue;
        metasByRef.set(meta.phx_ref, meta);
        addMeta(applied.joins, key, meta);
      }
    }
    return isEmpty(applied) ? undefined : applied;
  }

  /**
   * Replaces everything with a full state from the owning node. Returns one diff per topic that
   * really changed: metas whose ref is on both sides are neither left nor joined again.
   */
  replace(state: Readonly<Record<string, PresenceState>>): Map<string, PresenceDiff> {
    const diffs = new Map<string, PresenceDiff>();
    const topics = new Set([...this.#topics.keys(), ...Object.keys(state)]);
    for (const topic of topics) {
      const before = this.#topics.get(topic) ?? new Map<string, RefMetas>();
      const after = toTopicKeys(state[topic] ?? {});
      const diff: PresenceDiff = { joins: {}, leaves: {} };
      for (const [key, metas] of before) {
        const kept = after.get(key);
        for (const [ref, meta] of metas) if (!kept?.has(ref)) addMeta(diff.leaves, key, meta);
      }
      for (const [key, metas] of after) {
        const had = before.get(key);
        for (const [ref, meta] of metas) if (!had?.has(ref)) addMeta(diff.joins, key, meta);
      }
      if (after.size > 0) this.#topics.set(topic, after);
      else this.#topics.delete(topic);
      if (!isEmpty(diff)) diffs.set(topic, diff);
    }
    return diffs;
  }

  /** Forgets everything (the node is gone); returns the leaves per topic. */
  clear(): Map<string, PresenceDiff> {
    return this.replace({});
  }

  /** Adds this replica's metas for the topic to `state`, after those already there. */
  listInto(topic: string, state: PresenceState): void {
    const keys = this.#topics.get(topic);
    if (!keys) return;
    for (const [key, metas] of keys) {
      const entry = state[key];
      if (entry) entry.metas.push(...metas.values());
      else state[key] = { metas: [...metas.values()] };
    }
  }

  #metasOf(topic: string, key: string): RefMetas {
    let keys = this.#topics.get(topic);
    if (!keys) {
      keys = new Map();
      this.#topics.set(topic, keys);
    }
    let metas = keys.get(key);
    if (!metas) {
      metas = new Map();
      keys.set(key, metas);
    }
    return metas;
  }

  #dropKey(topic: string, key: string): void {
    const keys = this.#topics.get(topic);
    keys?.delete(key);
    if (keys?.size === 0) this.#topics.delete(topic);
  }
}

function toTopicKeys(state: PresenceState): TopicKeys {
  const keys: TopicKeys = new Map();
  for (const [key, { metas }] of Object.entries(state)) {
    if (metas.length === 0) continue;
    keys.set(key, new Map(metas.map((meta) => [meta.phx_ref, meta])));
  }
  return keys;
}

function addMeta(state: PresenceState, key: string, meta: PresenceMeta): void {
  const entry = state[key];
  if (entry) entry.metas.push(meta);
  else state[key] = { metas: [meta] };
}

function isEmpty(diff: PresenceDiff): boolean {
  return Object.keys(diff.joins).length === 0 && Object.keys(diff.leaves).length === 0;
}
