import type { PubSub } from './pubsub.ts';

/**
 * A PubSub that spans several nodes (`RedisPubSub`), with what a cluster-wide presence tracker
 * needs on top of delivery: who this node is, whether it can currently reach the others, and when
 * a topic's subscription is in place so that no message to it can be missed.
 */
export interface ClusterPubSub extends PubSub {
  /** Unique within the cluster. */
  readonly nodeId: string;
  /** Whether broadcasts currently reach the other nodes and theirs reach this one. */
  readonly connected: boolean;
  /**
   * Called with `false` when the node loses the cluster and with `true` once it is back and every
   * topic is subscribed again. Returns a function that removes the listener.
   */
  onConnectionChange(listener: (connected: boolean) => void): () => void;
  /** Resolves once the subscription of a locally subscribed topic is confirmed cluster-wide. */
  subscribed(topic: string): Promise<void>;
}
