import type { Frame, Payload } from '../message.ts';
import type { Serializer } from '../serializers/serializer.ts';

/** A message for every subscriber of a topic. */
export interface Broadcast {
  readonly topic: string;
  readonly event: string;
  readonly payload: Payload;
}

/** Encodes a broadcast for one serializer; the result is cached, so each format is encoded once. */
export type FrameFor = (serializer: Serializer) => Frame;

/** Anything that listens to a topic: a joined channel, a test probe, a server-side process. */
export interface Subscriber {
  /** Unique across the cluster: used to exclude the sender in `broadcastFrom`. */
  readonly id: string;
  deliver(broadcast: Broadcast, frameFor: FrameFor): void;
}

export interface BroadcastOptions {
  /** Skip the subscriber with this id (the sender's own channel). */
  readonly exceptId?: string;
}

/**
 * Topic-based publish/subscribe. The in-memory implementation serves one node; a multi-node one
 * (`RedisPubSub`) dispatches locally in exactly the same way and publishes to the other nodes.
 */
export interface PubSub {
  subscribe(topic: string, subscriber: Subscriber): void;
  unsubscribe(topic: string, subscriber: Subscriber): void;
  /** Delivers to the topic's subscribers on every node of the cluster. */
  broadcast(topic: string, event: string, payload: Payload, options?: BroadcastOptions): void;
  /**
   * Delivers to this node's subscribers only (Phoenix's `local_broadcast`): for what every node
   * derives by itself, such as the `presence_diff` each node's tracker computes from a replica.
   */
  broadcastLocal(topic: string, event: string, payload: Payload, options?: BroadcastOptions): void;
  subscriberCount(topic: string): number;
}
