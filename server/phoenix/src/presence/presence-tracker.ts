/** One tracked presence: the metadata given to `track`, plus the unique `phx_ref` the tracker adds. */
export interface PresenceMeta {
  readonly phx_ref: string;
  /** Set by `update`: the `phx_ref` of the meta this one replaces. */
  readonly phx_ref_prev?: string;
  readonly [field: string]: unknown;
}

/** `{"<key>": {"metas": [...]}}`: the shape of `presence_state` and of each side of a diff. */
export type PresenceState = Record<string, { metas: PresenceMeta[] }>;

export interface PresenceDiff {
  readonly joins: PresenceState;
  readonly leaves: PresenceState;
}

/** Raised when the same owner tracks the same key on the same topic twice. */
export class AlreadyTrackedError extends Error {
  override readonly name = 'AlreadyTrackedError';
}

/**
 * Who is on a topic. An owner (a joined channel, by its subscriber id) tracks keys with metadata;
 * every change is broadcast to the topic as `presence_diff`. A key tracked by several owners (one
 * user in several tabs) holds several metas. The in-memory tracker serves one node; a cluster-wide
 * one keeps the same interface and merges the nodes' states.
 */
export interface PresenceTracker {
  /** Returns the new meta's `phx_ref`. Throws `AlreadyTrackedError` for a duplicate. */
  track(ownerId: string, topic: string, key: string, meta: object): string;
  /** Replaces the owner's meta for the key; returns the new `phx_ref`. */
  update(ownerId: string, topic: string, key: string, meta: object): string;
  untrack(ownerId: string, topic: string, key: string): void;
  /** Removes everything the owner tracks, on every topic (the channel has gone). */
  untrackAll(ownerId: string): void;
  list(topic: string): PresenceState;
}
