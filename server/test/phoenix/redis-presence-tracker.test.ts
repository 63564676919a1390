/**
 * RedisPresenceTracker against a real redis-server: two or three trackers, each on its own
 * RedisPubSub in this process, stand for the nodes of a cluster. Timings are shrunk (heartbeat
 * 100 ms, node timeout 500 ms) so that expiry and recovery take well under a second.
 */

import {
  AlreadyTrackedError,
  type Broadcast,
  type BroadcastOptions,
  type ChannelHandler,
  type ClusterPubSub,
  LocalPubSub,
  ok,
  type Payload,
  PhoenixSocket,
  type PresenceDiff,
  type PresenceState,
  RedisPresenceTracker,
  RedisPubSub,
  type Subscriber,
} from '@starcatch/phoenix';
import { connectTestClient } from '@starcatch/phoenix/testing';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { sleep, waitFor } from '../integration/wait-for.ts';
import { RedisServer } from '../support/redis-server.ts';

const redisUrl = inject('redisUrl');
const SKIPPED = redisUrl ? '' : ' (skipped: redis-server is not installed)';

const HEARTBEAT_MS = 100;
const NODE_TIMEOUT_MS = 500;
const SWEEP_MS = 50;
/** The bound for these timings (timeout + one sweep), plus margin for a loaded machine. */
const REMOVAL_BOUND_MS = NODE_TIMEOUT_MS + SWEEP_MS + 400;

interface Node {
  readonly pubsub: RedisPubSub;
  readonly tracker: RedisPresenceTracker;
  /** Every `presence_diff` this node's local subscribers received on a topic. */
  diffs(topic: string): PresenceDiff[];
}

const started: Node[] = [];

async function startNode(url: string, prefix: string, nodeId?: string): Promise<Node> {
  const pubsub = await RedisPubSub.connect({
    url,
    channelPrefix: prefix,
    reconnectMinDelayMs: 20,
    reconnectMaxDelayMs: 100,
    ...(nodeId ? { nodeId } : {}),
  });
  const tracker = new RedisPresenceTracker({
    pubsub,
    heartbeatIntervalMs: HEARTBEAT_MS,
    nodeTimeoutMs: NODE_TIMEOUT_MS,
    sweepIntervalMs: SWEEP_MS,
  });
  await tracker.ready();
  const node: Node = { pubsub, tracker, diffs: (topic) => diffProbe(pubsub, topic) };
  started.push(node);
  return node;
}

const probes = new Map<string, PresenceDiff[]>();

/** Subscribes (once per node and topic) a probe that records the topic's presence diffs. */
function diffProbe(pubsub: RedisPubSub, topic: string): PresenceDiff[] {
  const key = `${pubsub.nodeId}|${topic}`;
  let diffs = probes.get(key);
  if (diffs) return diffs;
  const recorded: PresenceDiff[] = [];
  const probe: Subscriber = {
    id: `probe.${key}`,
    deliver: (b: Broadcast) => {
      if (b.event === 'presence_diff') recorded.push(b.payload as PresenceDiff);
    },
  };
  pubsub.subscribe(topic, probe);
  diffs = recorded;
  probes.set(key, diffs);
  return diffs;
}

async function stopAll(): Promise<void> {
  const nodes = started.splice(0);
  for (const node of nodes) node.tracker.dispose({ goodbye: false });
  await Promise.all(nodes.map((node) => node.pubsub.close()));
  probes.clear();
}

const newPrefix = (): string => `test:${Math.random().toString(36).slice(2)}:`;

/** The state with each key's metas in phx_ref order, to compare nodes regardless of order. */
function normalized(state: PresenceState): PresenceState {
  const sorted: PresenceState = {};
  for (const key of Object.keys(state).sort()) {
    const metas = [...(state[key]?.metas ?? [])].sort((x, y) => x.phx_ref.localeCompare(y.phx_ref));
    sorted[key] = { metas };
  }
  return sorted;
}

/** Keys a list of diffs mentions, in joins or leaves. */
function keysIn(diffs: readonly PresenceDiff[]): string[] {
  const keys = new Set<string>();
  for (const diff of diffs) for (const key of [...Object.keys(diff.joins), ...Object.keys(diff.leaves)]) keys.add(key);
  return [...keys].sort();
}

describe.skipIf(!redisUrl)(`RedisPresenceTracker${SKIPPED}`, () => {
  const url = redisUrl ?? '';
  afterEach(stopAll);

  it('lists a presence tracked on A on B, and sends B’s subscribers the same presence_diff', async () => {
    const prefix = newPrefix();
    const a = await startNode(url, prefix);
    const b = await startNode(url, prefix);
    const onA = a.diffs('lobby');
    const onB = b.diffs('lobby');

    const ref = a.tracker.track('chan-1', 'lobby', 'u1', { nickname: 'Ada' });

    const join = { joins: { u1: { metas: [{ nickname: 'Ada', phx_ref: ref }] } }, leaves: {} };
    expect(onA).toEqual([join]);
    await waitFor(() => {
      expect(onB).toEqual([join]);
    });
    expect(b.tracker.list('lobby')).toEqual({ u1: { metas: [{ nickname: 'Ada', phx_ref: ref }] } });
    expect(b.tracker.list('elsewhere')).toEqual({});
    expect(() => a.tracker.track('chan-1', 'lobby', 'u1', {})).toThrow(AlreadyTrackedError);
  });

  it('merges the metas of one key tracked on several nodes, for a node that starts later too', async () => {
    const prefix = newPrefix();
    const a = await startNode(url, prefix);
    const b = await startNode(url, prefix);
    const refA = a.tracker.track('tab-a', 'lobby', 'u1', { tab: 'a' });
    const refB = b.tracker.track('tab-b', 'lobby', 'u1', { tab: 'b' });
    b.tracker.track('tab-c', 'lobby', 'u2', { tab: 'c' });

    await waitFor(() => {
      expect(a.tracker.list('lobby').u1?.metas).toHaveLength(2);
    });
    // This node's metas come first.
    expect(a.tracker.list('lobby').u1?.metas.map((m) => m.phx_ref)).toEqual([refA, refB]);
    expect(b.tracker.list('lobby').u1?.metas.map((m) => m.phx_ref)).toEqual([refB, refA]);

    const c = await startNode(url, prefix);
    await waitFor(() => {
      expect(normalized(c.tracker.list('lobby'))).toEqual(normalized(a.tracker.list('lobby')));
    });
    expect(Object.keys(c.tracker.list('lobby')).sort()).toEqual(['u1', 'u2']);
  });

  it('replicates update with phx_ref_prev, untrack and untrackAll', async () => {
    const prefix = newPrefix();
    const a = await startNode(url, prefix);
    const b = await startNode(url, prefix);
    const onB = b.diffs('lobby');
    const first = a.tracker.track('chan-1', 'lobby', 'u1', { status: 'idle' });
    const second = a.tracker.update('chan-1', 'lobby', 'u1', { status: 'playing' });

    await waitFor(() => {
      expect(onB).toHaveLength(2);
    });
    expect(onB[1]).toEqual({
      joins: { u1: { metas: [{ status: 'playing', phx_ref: second, phx_ref_prev: first }] } },
      leaves: { u1: { metas: [{ status: 'idle', phx_ref: first }] } },
    });
    expect(b.tracker.list('lobby')).toEqual({
      u1: { metas: [{ status: 'playing', phx_ref: second, phx_ref_prev: first }] },
    });

    const roomOnB = b.diffs('room:1');
    a.tracker.track('chan-1', 'room:1', 'u1', {});
    a.tracker.track('chan-2', 'lobby', 'u2', {});
    a.tracker.untrack('chan-2', 'lobby', 'u2');
    a.tracker.untrackAll('chan-1');
    await waitFor(() => {
      expect(b.tracker.list('lobby')).toEqual({});
    });
    expect(b.tracker.list('room:1')).toEqual({});
    expect(onB.at(-1)?.leaves.u1?.metas[0]?.phx_ref).toBe(second);
    expect(roomOnB.map((diff) => Object.keys(diff.joins).length + Object.keys(diff.leaves).length)).toEqual([1, 1]);
  });

  it('removes a node that stops heartbeating within the bound, with leave diffs', async () => {
    const prefix = newPrefix();
    const a = await startNode(url, prefix);
    const b = await startNode(url, prefix);
    const c = await startNode(url, prefix);
    const ref = a.tracker.track('chan-1', 'lobby', 'u1', {});
    c.tracker.track('chan-9', 'lobby', 'u9', {});
    await waitFor(() => {
      expect(b.tracker.list('lobby').u1 && c.tracker.list('lobby').u1).toBeTruthy();
    });
    const onB = b.diffs('lobby');
    const onC = c.diffs('lobby');

    // A crashes: no goodbye, its connections just close.
    a.tracker.dispose({ goodbye: false });
    await a.pubsub.close();
    const crashedAt = Date.now();

    const leave = { joins: {}, leaves: { u1: { metas: [{ phx_ref: ref }] } } };
    await waitFor(
      () => {
        expect(onB).toEqual([leave]);
      },
      { timeoutMs: REMOVAL_BOUND_MS },
    );
    await waitFor(
      () => {
        expect(onC).toEqual([leave]);
      },
      { timeoutMs: REMOVAL_BOUND_MS },
    );
    const elapsed = Date.now() - crashedAt;
    // Not before its timeout (less the last heartbeat's age), not after the bound.
    expect(elapsed).toBeGreaterThanOrEqual(NODE_TIMEOUT_MS - HEARTBEAT_MS - SWEEP_MS);
    expect(elapsed).toBeLessThanOrEqual(REMOVAL_BOUND_MS);
    expect(b.tracker.list('lobby')).toEqual({ u9: { metas: [expect.objectContaining({})] } });
    expect(b.tracker.nodes).toEqual([c.pubsub.nodeId]);
  });

  it('removes a node that says goodbye at once', async () => {
    const prefix = newPrefix();
    const a = await startNode(url, prefix);
    const b = await startNode(url, prefix);
    a.tracker.track('chan-1', 'lobby', 'u1', {});
    await waitFor(() => {
      expect(b.tracker.list('lobby').u1).toBeDefined();
    });
    const onB = b.diffs('lobby');

    const leftAt = Date.now();
    a.tracker.dispose();
    await waitFor(() => {
      expect(onB).toHaveLength(1);
    });
    expect(Date.now() - leftAt).toBeLessThan(NODE_TIMEOUT_MS - HEARTBEAT_MS);
    expect(onB[0]?.leaves.u1).toBeDefined();
  });

  it('replaces the entries of a node that comes back as a new incarnation', async () => {
    const prefix = newPrefix();
    const a = await startNode(url, prefix, 'node-a');
    const b = await startNode(url, prefix);
    const oldRef = a.tracker.track('chan-1', 'lobby', 'u1', {});
    a.tracker.track('chan-2', 'lobby', 'u2', {});
    await waitFor(() => {
      expect(Object.keys(b.tracker.list('lobby'))).toHaveLength(2);
    });
    const onB = b.diffs('lobby');

    // Same node id, new boot, before the old one could time out.
    a.tracker.dispose({ goodbye: false });
    const restarted = new RedisPresenceTracker({
      pubsub: a.pubsub,
      heartbeatIntervalMs: HEARTBEAT_MS,
      nodeTimeoutMs: NODE_TIMEOUT_MS,
      sweepIntervalMs: SWEEP_MS,
    });
    const restartedAt = Date.now();
    await restarted.ready();
    const newRef = restarted.track('chan-7', 'lobby', 'u1', {});

    try {
      await waitFor(() => {
        expect(b.tracker.list('lobby')).toEqual({ u1: { metas: [{ phx_ref: newRef }] } });
      });
      expect(Date.now() - restartedAt).toBeLessThan(NODE_TIMEOUT_MS);
      expect(keysIn(onB.filter((diff) => Object.keys(diff.leaves).length > 0))).toEqual(['u1', 'u2']);
      expect(onB.flatMap((diff) => diff.leaves.u1?.metas ?? []).map((m) => m.phx_ref)).toEqual([oldRef]);
    } finally {
      restarted.dispose({ goodbye: false });
    }
  });

  it('gives clients of a PhoenixSocket on each node the frames of a single node', async () => {
    const prefix = newPrefix();
    const a = await startNode(url, prefix);
    const b = await startNode(url, prefix);
    const room: ChannelHandler<{ user: string }> = {
      join: () => ok({}),
      afterJoin(channel) {
        channel.push('presence_state', channel.presence.list());
        channel.presence.track(channel.assigns.user, { online_at: 1 });
      },
      handleIn(event, payload, channel) {
        channel.broadcastFrom(event, payload as object);
        return undefined;
      },
    };
    const socket = (node: Node) =>
      new PhoenixSocket<{ user: string }>({
        connect: () => ({ ok: true, assigns: { user: '' } }),
        channels: { 'room:*': room },
        pubsub: node.pubsub,
        presence: node.tracker,
      });
    const ada = connectTestClient(socket(a), { user: 'ada' });
    await ada.subscribeAndJoin('room:1');
    await ada.assertPush('presence_state', {});
    const adaJoin = (await ada.assertPush('presence_diff')) as PresenceDiff;
    await waitFor(() => {
      expect(b.tracker.list('room:1').ada).toBeDefined();
    });
    // Presence travels on the tracker's topics; the `wave` broadcast below needs B subscribed to
    // room:1 in Redis before A publishes it: hold the topic from here until Redis confirms it.
    b.diffs('room:1');
    await b.pubsub.subscribed('room:1');

    const bo = connectTestClient(socket(b), { user: 'bo' });
    await bo.subscribeAndJoin('room:1');
    expect(await bo.assertPush('presence_state')).toEqual({ ada: adaJoin.joins.ada });
    const boJoin = (await bo.assertPush('presence_diff')) as PresenceDiff;
    expect(Object.keys(boJoin.joins)).toEqual(['bo']);
    // Ada, on the other node, sees Bo's join exactly as Bo's own node sent it.
    expect(await ada.assertPush('presence_diff', { joins: { bo: boJoin.joins.bo } })).toEqual(boJoin);

    ada.push('room:1', 'wave', { from: 'ada' });
    await bo.assertPush('wave', { from: 'ada' });
    await ada.refutePush('wave');

    ada.disconnect();
    await bo.assertPush('presence_diff', { leaves: { ada: adaJoin.joins.ada } });
  });
});

describe.skipIf(!redisUrl)(`RedisPresenceTracker while Redis is down${SKIPPED}`, () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(() => server?.stop());
  afterEach(stopAll);

  it('expires nobody during the outage and reconciles only the real changes after it', async () => {
    const prefix = newPrefix();
    const a = await startNode(server.url, prefix);
    const b = await startNode(server.url, prefix);
    a.tracker.track('chan-1', 'lobby', 'u1', { same: true });
    const u2Before = a.tracker.track('chan-2', 'lobby', 'u2', { status: 'idle' });
    b.tracker.track('chan-3', 'lobby', 'u3', { same: true });
    b.tracker.track('chan-5', 'lobby', 'u5', {});
    await waitFor(() => {
      expect(Object.keys(a.tracker.list('lobby')).sort()).toEqual(['u1', 'u2', 'u3', 'u5']);
      expect(normalized(b.tracker.list('lobby'))).toEqual(normalized(a.tracker.list('lobby')));
    });
    const onA = a.diffs('lobby');
    const onB = b.diffs('lobby');

    await server.stop('kill');
    await waitFor(() => !a.pubsub.connected && !b.pubsub.connected, { what: 'both nodes to notice the outage' });
    // Changes during the outage: served locally at once, unseen by the other node.
    a.tracker.track('chan-4', 'lobby', 'u4', {});
    const u2After = a.tracker.update('chan-2', 'lobby', 'u2', { status: 'playing' });
    b.tracker.untrack('chan-5', 'lobby', 'u5');
    expect(keysIn(onA)).toEqual(['u2', 'u4']);
    expect(keysIn(onB)).toEqual(['u5']);
    // Longer than the node timeout: still nobody is expired, the other node's presences stay listed.
    await sleep(NODE_TIMEOUT_MS * 2);
    expect(Object.keys(a.tracker.list('lobby')).sort()).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
    expect(Object.keys(b.tracker.list('lobby')).sort()).toEqual(['u1', 'u2', 'u3']);
    expect(keysIn(onA)).toEqual(['u2', 'u4']);
    expect(keysIn(onB)).toEqual(['u5']);

    await server.restart();
    await waitFor(() => {
      expect(Object.keys(a.tracker.list('lobby')).sort()).toEqual(['u1', 'u2', 'u3', 'u4']);
      expect(normalized(b.tracker.list('lobby'))).toEqual(normalized(a.tracker.list('lobby')));
    });
    // A few more heartbeats, in case a late phantom diff were coming.
    await sleep(HEARTBEAT_MS * 3);

    // u1 and u3 never changed: no diff anywhere mentions them.
    expect(keysIn(onA)).toEqual(['u2', 'u4', 'u5']);
    expect(keysIn(onB)).toEqual(['u2', 'u4', 'u5']);
    expect(onA.at(-1)).toEqual({ joins: {}, leaves: { u5: { metas: [expect.objectContaining({})] } } });
    const reconciled = onB.slice(1);
    expect(reconciled).toHaveLength(1);
    expect(reconciled[0]?.joins.u4?.metas).toHaveLength(1);
    expect(reconciled[0]?.joins.u2?.metas).toEqual([{ status: 'playing', phx_ref: u2After, phx_ref_prev: u2Before }]);
    expect(reconciled[0]?.leaves).toEqual({ u2: { metas: [{ status: 'idle', phx_ref: u2Before }] } });
  });
});

/**
 * An in-memory cluster whose links can be cut: the tracker's sequence and state-transfer logic,
 * tested without Redis and without timing luck. Delivery to other nodes is asynchronous and in
 * order, as through Redis.
 */
class FakeNode implements ClusterPubSub {
  readonly nodeId: string;
  readonly connected = true;
  readonly sent: { topic: string; event: string }[] = [];
  /** While set, this node's broadcasts reach no other node. */
  cut = false;
  readonly #local = new LocalPubSub();
  readonly #cluster: Set<FakeNode>;

  constructor(cluster: Set<FakeNode>, nodeId: string) {
    this.nodeId = nodeId;
    this.#cluster = cluster;
    cluster.add(this);
  }
  subscribe(topic: string, subscriber: Subscriber): void {
    this.#local.subscribe(topic, subscriber);
  }
  unsubscribe(topic: string, subscriber: Subscriber): void {
    this.#local.unsubscribe(topic, subscriber);
  }
  subscriberCount(topic: string): number {
    return this.#local.subscriberCount(topic);
  }
  subscribed(): Promise<void> {
    return Promise.resolve();
  }
  onConnectionChange(): () => void {
    return () => {};
  }
  broadcastLocal(topic: string, event: string, payload: Payload, options?: BroadcastOptions): void {
    this.#local.broadcast(topic, event, payload, options);
  }
  broadcast(topic: string, event: string, payload: Payload, options?: BroadcastOptions): void {
    this.#local.broadcast(topic, event, payload, options);
    this.sent.push({ topic, event });
    if (this.cut) return;
    const copy = JSON.stringify(payload);
    for (const node of this.#cluster) {
      if (node !== this) setImmediate(() => node.broadcastLocal(topic, event, JSON.parse(copy), options));
    }
  }
}

describe('RedisPresenceTracker replication (in-memory cluster)', () => {
  const trackers: RedisPresenceTracker[] = [];
  afterEach(() => {
    for (const tracker of trackers.splice(0)) tracker.dispose({ goodbye: false });
  });

  function start(node: FakeNode): RedisPresenceTracker {
    // A long timeout: nobody expires here; heartbeats reveal gaps quickly.
    const tracker = new RedisPresenceTracker({ pubsub: node, heartbeatIntervalMs: 30, nodeTimeoutMs: 60_000 });
    trackers.push(tracker);
    return tracker;
  }

  function diffsOn(node: FakeNode, topic: string): PresenceDiff[] {
    const diffs: PresenceDiff[] = [];
    node.subscribe(topic, { id: `probe.${node.nodeId}`, deliver: (b) => diffs.push(b.payload as PresenceDiff) });
    return diffs;
  }

  it('asks for the state after a gap in a node’s sequence and broadcasts only the real differences', async () => {
    const cluster = new Set<FakeNode>();
    const nodeA = new FakeNode(cluster, 'a');
    const nodeB = new FakeNode(cluster, 'b');
    const a = start(nodeA);
    const b = start(nodeB);
    await Promise.all([a.ready(), b.ready()]);
    a.track('chan-1', 'lobby', 'same', {});
    const before = a.track('chan-2', 'lobby', 'changed', { v: 1 });
    await waitFor(() => Object.keys(b.list('lobby')).length === 2, { what: 'B to replicate A' });
    const onB = diffsOn(nodeB, 'lobby');

    // A's deltas are lost (as when its Redis connection drops them); its sequence moves on.
    nodeA.cut = true;
    const after = a.update('chan-2', 'lobby', 'changed', { v: 2 });
    a.track('chan-3', 'lobby', 'new', {});
    await sleep(50);
    expect(onB).toEqual([]);
    nodeA.cut = false;

    await waitFor(() => onB.length > 0, { what: 'the reconciling diff' });
    await sleep(100); // a few more heartbeats: nothing else may follow
    expect(onB).toEqual([
      {
        joins: {
          changed: { metas: [{ v: 2, phx_ref: after, phx_ref_prev: before }] },
          new: { metas: [expect.objectContaining({})] },
        },
        leaves: { changed: { metas: [{ v: 1, phx_ref: before }] } },
      },
    ]);
    expect(normalized(b.list('lobby'))).toEqual(normalized(a.list('lobby')));
    // One request for the gap, whatever the number of heartbeats that showed it.
    const requests = nodeB.sent.filter((m) => m.event === 'state_request' && m.topic === 'phx_tracker:a');
    expect(requests).toHaveLength(1);
  });

  it('starts empty for a new incarnation and applies its deltas without asking', async () => {
    const cluster = new Set<FakeNode>();
    const nodeA = new FakeNode(cluster, 'a');
    const nodeB = new FakeNode(cluster, 'b');
    const b = start(nodeB);
    await b.ready();
    const a = start(nodeA);
    await a.ready();
    a.track('chan-1', 'lobby', 'u1', {});
    await waitFor(() => b.list('lobby').u1 !== undefined, { what: 'B to list u1' });
    // B answered A's startup request, and never needed to ask A for anything.
    expect(nodeB.sent.filter((m) => m.topic === 'phx_tracker:a')).toEqual([{ topic: 'phx_tracker:a', event: 'state' }]);
  });

  it('refuses timings where a node would time out between two heartbeats', () => {
    const node = new FakeNode(new Set(), 'a');
    expect(() => new RedisPresenceTracker({ pubsub: node, heartbeatIntervalMs: 1000, nodeTimeoutMs: 1000 })).toThrow(
      RangeError,
    );
    expect(() => new RedisPresenceTracker({ pubsub: node, heartbeatIntervalMs: 0 })).toThrow(RangeError);
  });
});
