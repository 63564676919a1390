import { randomUUID } from 'node:crypto';
import { Event } from '../constants.ts';
import type { Logger } from '../logger.ts';
import { silentLogger } from '../logger.ts';
import type { ClusterPubSub } from '../pubsub/cluster-pubsub.ts';
import type { Broadcast, Subscriber } from '../pubsub/pubsub.ts';
import { PresenceReplica } from './presence-replica.ts';
import { PresenceStore } from './presence-store.ts';
import type { PresenceDiff, PresenceState, PresenceTracker } from './presence-tracker.ts';
import type { Delta, Goodbye, Heartbeat, Origin, StateRequest, StateTransfer } from './tracker-messages.ts';
import {
  parseDelta,
  parseGoodbye,
  parseHeartbeat,
  parseStateRequest,
  parseStateTransfer,
  TRACKER_TOPIC,
  TrackerEvent,
  trackerNodeTopic,
} from './tracker-messages.ts';

/** How often a node tells the others it is alive (and its latest delta number). */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;
/** A node not heard from for this long is considered gone and its presences leave. */
export const DEFAULT_NODE_TIMEOUT_MS = 4_000;
/** How often each node looks for nodes that have timed out. */
export const DEFAULT_SWEEP_INTERVAL_MS = 250;
/**
 * With the default timings, every other node has removed a silent node's presences, and broadcast
 * their leaves, within this long of its last heartbeat: the timeout (4000) plus one sweep (250),
 * the rest being margin for delivery and timer lateness. With other timings the bound is
 * `nodeTimeoutMs + sweepIntervalMs` plus that margin.
 */
export const PRESENCE_NODE_REMOVAL_BOUND_MS = 5_000;

export interface RedisPresenceTrackerOptions {
  pubsub: ClusterPubSub;
  /** Default `DEFAULT_HEARTBEAT_INTERVAL_MS` (1000). Also the least time between two state requests to a node. */
  heartbeatIntervalMs?: number;
  /**
   * Default `DEFAULT_NODE_TIMEOUT_MS` (4000). Must exceed the heartbeat interval, and should exceed
   * the PubSub's longest reconnect pause, so that nodes coming back from one Redis outage at
   * slightly different times do not take each other for dead.
   */
  nodeTimeoutMs?: number;
  /** Default `DEFAULT_SWEEP_INTERVAL_MS` (250). */
  sweepIntervalMs?: number;
  logger?: Logger;
}

export interface DisposeOptions {
  /** Tell the other nodes to drop this node's presences now, not at its timeout. Default true. */
  goodbye?: boolean;
}

/** Another node, as this node knows it. */
interface RemoteNode {
  readonly incarnation: string;
  /** Its latest delta reflected in `replica`; 0: none (a new incarnation starts out empty). */
  seq: number;
  lastHeardAt: number;
  readonly replica: PresenceReplica;
}

const ignore = (): void => {};

/**
 * Cluster-wide presence in the manner of Phoenix.Tracker. Each node owns the presences tracked on
 * it and keeps a replica of every other node's, fed through the cluster PubSub:
 *
 * - a local change applies at once, goes to local subscribers as `presence_diff`, and is published
 *   as a delta numbered with this node's sequence; other nodes apply it to their replica of this
 *   node and send the same diff to their own subscribers;
 * - each node heartbeats its incarnation and latest sequence number. A receiver that sees a gap in
 *   the sequence, or an incarnation it does not know, asks that node for its full state and
 *   broadcasts only the real differences between that state and its replica;
 * - a node silent for `nodeTimeoutMs`, or a node that says goodbye or comes back as a new
 *   incarnation, is removed, and its presences leave on every other node.
 *
 * While this node's own PubSub is disconnected it expires nobody (it cannot tell the others' death
 * from its own outage) and keeps serving its local presences. On reconnection every node gets a
 * fresh timeout, this node heartbeats and asks everyone for their state, and the others see the
 * gap in its sequence and ask for its own: presence converges, with only real changes broadcast.
 *
 * One tracker per PubSub (its `nodeId` is the tracker's node). `list` merges every node's metas.
 */
export class RedisPresenceTracker implements PresenceTracker {
  readonly nodeId: string;
  /** This boot of the node: a restart is a new incarnation, whose state replaces the old one's. */
  readonly incarnation = randomUUID();
  readonly #pubsub: ClusterPubSub;
  readonly #logger: Logger;
  readonly #heartbeatIntervalMs: number;
  readonly #nodeTimeoutMs: number;
  readonly #sweepIntervalMs: number;
  readonly #local: PresenceStore;
  readonly #nodes = new Map<string, RemoteNode>();
  /** When each node's state was last asked for, so that one gap does not ask for it repeatedly. */
  readonly #requestedAt = new Map<string, number>();
  #requestedAllAt = Number.NEGATIVE_INFINITY;
  readonly #subscriber: Subscriber;
  readonly #ownTopic: string;
  readonly #heartbeatTimer: NodeJS.Timeout;
  readonly #sweepTimer: NodeJS.Timeout;
  #lastSweepAt = performance.now();
  readonly #stopListening: () => void;
  readonly #ready: Promise<void>;
  /** Number of this node's latest delta. */
  #seq = 0;
  #online: boolean;
  #disposed = false;

  constructor(options: RedisPresenceTrackerOptions) {
    this.#heartbeatIntervalMs = positive(
      options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      'heartbeatIntervalMs',
    );
    this.#nodeTimeoutMs = positive(options.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS, 'nodeTimeoutMs');
    this.#sweepIntervalMs = positive(options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS, 'sweepIntervalMs');
    if (this.#nodeTimeoutMs <= this.#heartbeatIntervalMs) {
      throw new RangeError('nodeTimeoutMs must be longer than heartbeatIntervalMs');
    }
    this.#pubsub = options.pubsub;
    this.#logger = options.logger ?? silentLogger;
    this.nodeId = options.pubsub.nodeId;
    this.#local = new PresenceStore((topic, diff) => this.#onLocalDiff(topic, diff));
    this.#subscriber = { id: `${TRACKER_TOPIC}:${this.nodeId}:${this.incarnation}`, deliver: (b) => this.#receive(b) };
    this.#ownTopic = trackerNodeTopic(this.nodeId);
    this.#pubsub.subscribe(TRACKER_TOPIC, this.#subscriber);
    this.#pubsub.subscribe(this.#ownTopic, this.#subscriber);
    this.#online = this.#pubsub.connected;
    this.#stopListening = this.#pubsub.onConnectionChange((connected) => this.#onConnectionChange(connected));
    this.#heartbeatTimer = setInterval(() => this.#heartbeat(), this.#heartbeatIntervalMs).unref();
    this.#sweepTimer = setInterval(() => this.#sweep(), this.#sweepIntervalMs).unref();
    const listening = [this.#pubsub.subscribed(TRACKER_TOPIC), this.#pubsub.subscribed(this.#ownTopic)];
    this.#ready = Promise.all(listening).then(() => this.#announce());
    this.#ready.catch(ignore);
  }

  /**
   * Resolves once this node hears the other trackers and has asked them for their state (their
   * presences then arrive within a round trip). Rejects if the PubSub closes first.
   */
  ready(): Promise<void> {
    return this.#ready;
  }

  track(ownerId: string, topic: string, key: string, meta: object): string {
    return this.#local.track(ownerId, topic, key, meta);
  }

  update(ownerId: string, topic: string, key: string, meta: object): string {
    return this.#local.update(ownerId, topic, key, meta);
  }

  untrack(ownerId: string, topic: string, key: string): void {
    this.#local.untrack(ownerId, topic, key);
  }

  untrackAll(ownerId: string): void {
    this.#local.untrackAll(ownerId);
  }

  /** This node's metas first, then each other node's. */
  list(topic: string): PresenceState {
    const state = this.#local.list(topic);
    for (const node of this.#nodes.values()) node.replica.listInto(topic, state);
    return state;
  }

  /** The other nodes this one currently holds presences (or at least heartbeats) from. */
  get nodes(): string[] {
    return [...this.#nodes.keys()];
  }

  /**
   * Stops heartbeating and listening. With `goodbye` (the default) the other nodes drop this
   * node's presences at once; without, they do at its timeout, as after a crash. The local state
   * stays readable; changes made afterwards are no longer replicated.
   */
  dispose(options: DisposeOptions = {}): void {
    if (this.#disposed) return;
    if (options.goodbye ?? true) {
      const goodbye: Goodbye = { node: this.nodeId, incarnation: this.incarnation };
      this.#send(TRACKER_TOPIC, TrackerEvent.goodbye, goodbye);
    }
    this.#disposed = true;
    clearInterval(this.#heartbeatTimer);
    clearInterval(this.#sweepTimer);
    this.#stopListening();
    this.#pubsub.unsubscribe(TRACKER_TOPIC, this.#subscriber);
    this.#pubsub.unsubscribe(this.#ownTopic, this.#subscriber);
  }

  // Local changes

  #onLocalDiff(topic: string, diff: PresenceDiff): void {
    this.#broadcastDiff(topic, diff);
    this.#seq++;
    const delta: Delta = { ...this.#origin(), seq: this.#seq, topic, joins: diff.joins, leaves: diff.leaves };
    // Numbered even when the PubSub drops it: the others then see the gap and ask for the state.
    this.#send(TRACKER_TOPIC, TrackerEvent.delta, delta);
  }

  #heartbeat(): void {
    // Offline it would only be dropped; the reconnection sends one at once.
    if (!this.#online) return;
    const heartbeat: Heartbeat = { ...this.#origin(), seq: this.#seq };
    this.#send(TRACKER_TOPIC, TrackerEvent.heartbeat, heartbeat);
  }

  // Messages from the other nodes

  #receive({ event, payload }: Broadcast): void {
    if (this.#disposed) return;
    switch (event) {
      case TrackerEvent.heartbeat:
        this.#handle(event, parseHeartbeat(payload), (message) => this.#onHeartbeat(message));
        break;
      case TrackerEvent.delta:
        this.#handle(event, parseDelta(payload), (message) => this.#onDelta(message));
        break;
      case TrackerEvent.stateRequest:
        this.#handle(event, parseStateRequest(payload), (message) => this.#onStateRequest(message));
        break;
      case TrackerEvent.state:
        this.#handle(event, parseStateTransfer(payload), (message) => this.#onStateTransfer(message));
        break;
      case TrackerEvent.goodbye:
        this.#handle(event, parseGoodbye(payload), (message) => this.#onGoodbye(message));
        break;
      default:
        this.#logger.warn({ event }, 'ignored a presence tracker message of an unknown kind');
    }
  }

  #handle<Message extends { readonly node: string }>(
    event: string,
    message: Message | undefined,
    handler: (message: Message) => void,
  ): void {
    if (!message) {
      this.#logger.warn({ event }, 'ignored a malformed presence tracker message');
      return;
    }
    if (message.node !== this.nodeId) handler(message);
  }

  #onHeartbeat(heartbeat: Heartbeat): void {
    const node = this.#heard(heartbeat);
    // Deltas travel ahead of the heartbeat on the same connection: a different number means a gap.
    if (heartbeat.seq !== node.seq) this.#requestState(heartbeat.node);
  }

  #onDelta(delta: Delta): void {
    const node = this.#heard(delta);
    if (delta.seq <= node.seq) return; // a state transfer covered it already
    if (delta.seq !== node.seq + 1) {
      this.#requestState(delta.node);
      return;
    }
    node.seq = delta.seq;
    const diff = node.replica.apply(delta.topic, delta);
    if (diff) this.#broadcastDiff(delta.topic, diff);
  }

  #onStateRequest(request: StateRequest): void {
    const transfer: StateTransfer = { ...this.#origin(), seq: this.#seq, topics: this.#local.snapshot() };
    this.#send(trackerNodeTopic(request.node), TrackerEvent.state, transfer);
  }

  #onStateTransfer(transfer: StateTransfer): void {
    const node = this.#heard(transfer);
    if (transfer.seq < node.seq) return; // deltas after it were applied already
    this.#requestedAt.delete(transfer.node);
    node.seq = transfer.seq;
    for (const [topic, diff] of node.replica.replace(transfer.topics)) this.#broadcastDiff(topic, diff);
  }

  #onGoodbye(goodbye: Goodbye): void {
    if (this.#nodes.get(goodbye.node)?.incarnation === goodbye.incarnation) this.#removeNode(goodbye.node, 'goodbye');
  }

  /** The sender's record, created for a node or incarnation not seen before; marks it alive. */
  #heard(origin: Origin): RemoteNode {
    let node = this.#nodes.get(origin.node);
    if (node && node.incarnation !== origin.incarnation) {
      this.#removeNode(origin.node, 'restarted');
      node = undefined;
    }
    if (!node) {
      node = { incarnation: origin.incarnation, seq: 0, lastHeardAt: 0, replica: new PresenceReplica() };
      this.#nodes.set(origin.node, node);
      this.#logger.info({ node: origin.node }, 'presence node joined');
    }
    node.lastHeardAt = performance.now();
    return node;
  }

  // Requests, timeouts and outages

  #requestState(nodeId: string): void {
    const now = performance.now();
    const last = Math.max(this.#requestedAt.get(nodeId) ?? Number.NEGATIVE_INFINITY, this.#requestedAllAt);
    if (now - last < this.#heartbeatIntervalMs) return; // the answer is probably on its way
    this.#requestedAt.set(nodeId, now);
    const request: StateRequest = { node: this.nodeId };
    this.#send(trackerNodeTopic(nodeId), TrackerEvent.stateRequest, request);
  }

  #requestAllStates(): void {
    this.#requestedAllAt = performance.now();
    const request: StateRequest = { node: this.nodeId };
    this.#send(TRACKER_TOPIC, TrackerEvent.stateRequest, request);
  }

  #sweep(): void {
    const now = performance.now();
    const late = now - this.#lastSweepAt > this.#sweepIntervalMs + this.#heartbeatIntervalMs;
    this.#lastSweepAt = now;
    // Offline, or this process was stalled (heartbeats may be waiting unread): nobody can be judged.
    if (!this.#online || late) {
      for (const node of this.#nodes.values()) node.lastHeardAt = Math.max(node.lastHeardAt, now);
      return;
    }
    for (const [nodeId, node] of this.#nodes) {
      if (now - node.lastHeardAt > this.#nodeTimeoutMs) this.#removeNode(nodeId, 'timed out');
    }
  }

  #onConnectionChange(connected: boolean): void {
    this.#online = connected;
    if (!connected) return;
    const now = performance.now();
    for (const node of this.#nodes.values()) node.lastHeardAt = now;
    this.#requestedAt.clear();
    this.#announce();
  }

  /** Startup and reconnection: "here I am, at this sequence number; everyone, send me your state". */
  #announce(): void {
    this.#heartbeat();
    this.#requestAllStates();
  }

  #removeNode(nodeId: string, reason: string): void {
    const node = this.#nodes.get(nodeId);
    if (!node) return;
    this.#nodes.delete(nodeId);
    this.#requestedAt.delete(nodeId);
    this.#logger.info({ node: nodeId, reason }, 'presence node removed');
    for (const [topic, diff] of node.replica.clear()) this.#broadcastDiff(topic, diff);
  }

  // Plumbing

  #origin(): Origin {
    return { node: this.nodeId, incarnation: this.incarnation };
  }

  /** To the other nodes only: this node's own subscriber is skipped. */
  #send(topic: string, event: string, payload: object): void {
    if (this.#disposed) return;
    this.#pubsub.broadcast(topic, event, payload, { exceptId: this.#subscriber.id });
  }

  #broadcastDiff(topic: string, diff: PresenceDiff): void {
    this.#pubsub.broadcastLocal(topic, Event.presenceDiff, diff);
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number of milliseconds`);
  return value;
}
