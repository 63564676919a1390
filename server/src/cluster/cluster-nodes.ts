import { randomUUID } from 'node:crypto';
import { type Broadcast, Event, type PresenceDiff, type PresenceTracker, type Subscriber } from '@starcatch/phoenix';

/** The presence topic on which every node tracks itself. */
export const NODES_TOPIC = 'cluster:nodes';

export type NodeDownListener = (node: string) => void;

/**
 * Which nodes of the cluster are alive. Each node tracks itself on a presence topic, so the
 * cluster-wide tracker's own heartbeats and node timeout say when a node has gone: its entry
 * leaves, and every other node hears a `presence_diff` with that leave within the tracker's bound.
 */
export class ClusterNodes implements Subscriber {
  readonly id = `cluster-nodes:${randomUUID()}`;
  readonly node: string;
  readonly #presence: PresenceTracker;
  readonly #listeners = new Set<NodeDownListener>();

  constructor(presence: PresenceTracker, node: string) {
    this.#presence = presence;
    this.node = node;
  }

  /** Announces this node (call once its PubSub subscription to NODES_TOPIC is in place). */
  join(): void {
    this.#presence.track(this.id, NODES_TOPIC, this.node, { started_at: Date.now() });
  }

  leave(): void {
    this.#presence.untrackAll(this.id);
  }

  /** The nodes seen alive now, this one included. */
  alive(): string[] {
    return Object.keys(this.#presence.list(NODES_TOPIC));
  }

  isAlive(node: string): boolean {
    return node === this.node || this.#presence.list(NODES_TOPIC)[node] !== undefined;
  }

  onDown(listener: NodeDownListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  deliver({ event, payload }: Broadcast): void {
    if (event !== Event.presenceDiff) return;
    const { leaves } = payload as PresenceDiff;
    for (const node of Object.keys(leaves)) {
      if (node === this.node || this.isAlive(node)) continue;
      for (const listener of this.#listeners) listener(node);
    }
  }
}
