/**
 * RedisPubSub against a real redis-server: several instances in this process stand for the nodes
 * of a cluster. Each test uses its own channel prefix, so tests cannot hear each other.
 */

import type { FrameFor } from '@starcatch/phoenix';
import {
  type Broadcast,
  type Logger,
  PhoenixSocket,
  RedisPubSub,
  type RedisPubSubOptions,
  type Serializer,
  type Subscriber,
  v1JsonSerializer,
  v2JsonSerializer,
} from '@starcatch/phoenix';
import { connectTestClient } from '@starcatch/phoenix/testing';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../scripts/services/free-port.ts';
import { waitFor } from '../integration/wait-for.ts';
import { RedisServer } from '../support/redis-server.ts';

const redisUrl = inject('redisUrl');
const SKIPPED = redisUrl ? '' : ' (skipped: redis-server is not installed)';

/** Reconnects within ~100 ms of Redis coming back, so the restart tests stay short. */
const FAST_RECONNECT = { reconnectMinDelayMs: 20, reconnectMaxDelayMs: 100 } as const;

class Probe implements Subscriber {
  readonly received: Broadcast[] = [];
  readonly id: string;
  constructor(id = `probe.${Math.random().toString(36).slice(2)}`) {
    this.id = id;
  }
  deliver(broadcast: Broadcast): void {
    this.received.push(broadcast);
  }
  events(): string[] {
    return this.received.map((b) => b.event);
  }
}

/** Counts encodes: the fastlane must encode one broadcast once per serializer on each node. */
function countingSerializer(inner: Serializer): Serializer & { encodes: number } {
  const counting = {
    ...inner,
    encodes: 0,
    encodeMessage(message: Parameters<Serializer['encodeMessage']>[0]) {
      counting.encodes++;
      return inner.encodeMessage(message);
    },
  };
  return counting;
}

/** Records every log line, to check that an outage is logged once. */
function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (_context: object, message: string) => lines.push({ level, message });
  return { lines, debug: () => {}, info: at('info'), warn: at('warn'), error: at('error') };
}

const open: RedisPubSub[] = [];

async function node(url: string, prefix: string, options: Partial<RedisPubSubOptions> = {}): Promise<RedisPubSub> {
  const pubsub = await RedisPubSub.connect({ url, channelPrefix: prefix, ...FAST_RECONNECT, ...options });
  open.push(pubsub);
  return pubsub;
}

const newPrefix = (): string => `test:${Math.random().toString(36).slice(2)}:`;

afterEach(async () => {
  await Promise.all(open.splice(0).map((pubsub) => pubsub.close()));
});

describe.skipIf(!redisUrl)(`RedisPubSub${SKIPPED}`, () => {
  const url = redisUrl ?? '';
  let a: RedisPubSub;
  let b: RedisPubSub;

  /** A round trip B → A on a topic both hear: whatever A published before has reached B by then. */
  async function barrier(topic: string): Promise<void> {
    const onA = new Probe();
    a.subscribe(topic, onA);
    await a.subscribed(topic);
    b.broadcast(topic, 'barrier', {});
    await waitFor(() => onA.events().includes('barrier'), { what: 'the barrier' });
    a.unsubscribe(topic, onA);
  }

  it('delivers a broadcast to local subscribers at once and to the other nodes through Redis', async () => {
    const prefix = newPrefix();
    a = await node(url, prefix);
    b = await node(url, prefix);
    expect(a.nodeId).not.toBe(b.nodeId);
    const local = new Probe();
    const remote = new Probe();
    a.subscribe('room:1', local);
    b.subscribe('room:1', remote);
    await b.subscribed('room:1');

    a.broadcast('room:1', 'chat', { body: 'hi' });
    expect(local.received).toEqual([{ topic: 'room:1', event: 'chat', payload: { body: 'hi' } }]);
    await waitFor(() => {
      expect(remote.received).toEqual([{ topic: 'room:1', event: 'chat', payload: { body: 'hi' } }]);
    });
    expect(a.stats.published).toBe(1);
    expect(a.stats.publishedBytes).toBeGreaterThan(0);
    expect(b.stats.received).toBe(1);
    expect(b.stats.receivedBytes).toBe(a.stats.publishedBytes);
  });

  it('disconnect(id) on one node closes the connections with that id on every node', async () => {
    const prefix = newPrefix();
    a = await node(url, prefix);
    b = await node(url, prefix);
    const define = (pubsub: RedisPubSub) =>
      new PhoenixSocket<{ user: string }>({
        connect: () => ({ ok: true, assigns: { user: 'ada' } }),
        id: ({ user }) => `user_socket:${user}`,
        channels: {},
        pubsub,
      });
    const onA = define(a);
    const onB = define(b);
    await b.subscribed('phx_socket_control');
    const here = connectTestClient(onA, { user: 'ada' });
    const there = connectTestClient(onB, { user: 'ada' });
    const bystander = connectTestClient(onB, { user: 'bo' });

    expect(onA.disconnect('user_socket:ada')).toBe(1);
    expect(here.closedWith).toEqual([{ code: 1001, reason: 'disconnected' }]);
    await waitFor(() => {
      expect(there.closedWith).toEqual([{ code: 1001, reason: 'disconnected' }]);
    });
    expect(bystander.closedWith).toEqual([]);
  });

  it('carries JSON and raw-byte payloads intact', async () => {
    const prefix = newPrefix();
    a = await node(url, prefix);
    b = await node(url, prefix);
    const remote = new Probe();
    b.subscribe('room:1', remote);
    await b.subscribed('room:1');
    // Every byte value, including sequences that are not UTF-8.
    const bytes = new Uint8Array(512).map((_, index) => (index * 7 + 3) % 256);
    const json = { text: 'héllo ✨ "quoted" \\ \u0000', nested: { list: [1, 2.5, null, true] }, empty: {} };

    a.broadcast('room:1', 'bytes', bytes);
    a.broadcast('room:1', 'json', json);
    a.broadcast('room:1', 'nothing', new Uint8Array(0));

    await waitFor(() => remote.received.length === 3, { what: 'three broadcasts' });
    const [binary, text, empty] = remote.received;
    expect(binary?.payload).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(binary?.payload as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    expect(text?.payload).toEqual(json);
    expect(empty?.payload).toEqual(new Uint8Array(0));
  });

  it('skips the exceptId subscriber even when it is on another node', async () => {
    const prefix = newPrefix();
    a = await node(url, prefix);
    b = await node(url, prefix);
    const sender = new Probe('sender-channel');
    const other = new Probe();
    b.subscribe('room:1', sender);
    b.subscribe('room:1', other);
    await b.subscribed('room:1');

    a.broadcast('room:1', 'moved', { x: 1 }, { exceptId: 'sender-channel' });
    a.broadcast('room:1', 'after', {});

    await waitFor(() => other.events().includes('after'), { what: 'both broadcasts' });
    expect(other.events()).toEqual(['moved', 'after']);
    expect(sender.events()).toEqual(['after']);
  });

  it('encodes a remote broadcast once per serializer on the receiving node', async () => {
    const prefix = newPrefix();
    a = await node(url, prefix);
    b = await node(url, prefix);
    const v2 = countingSerializer(v2JsonSerializer);
    const v1 = countingSerializer(v1JsonSerializer);
    const frames: { serializer: Serializer; frame: unknown }[] = [];
    const socketLike = (serializer: Serializer, index: number): Subscriber => ({
      id: `socket-${index}`,
      deliver: (_broadcast: Broadcast, frameFor: FrameFor) => frames.push({ serializer, frame: frameFor(serializer) }),
    });
    [v2, v2, v2, v1, v1].forEach((serializer, index) => {
      b.subscribe('room:1', socketLike(serializer, index));
    });
    await b.subscribed('room:1');

    a.broadcast('room:1', 'tick', { n: 1 });

    await waitFor(() => frames.length === 5, { what: 'five deliveries' });
    expect(v2.encodes).toBe(1);
    expect(v1.encodes).toBe(1);
    const v2Frames = new Set(frames.filter((f) => f.serializer === v2).map((f) => f.frame));
    expect(v2Frames).toEqual(new Set(['[null,null,"room:1","tick",{"n":1}]']));
  });

  it('does not deliver its own broadcasts twice (Redis echoes them back)', async () => {
    const prefix = newPrefix();
    a = await node(url, prefix);
    b = await node(url, prefix);
    const onA = new Probe();
    const onB = new Probe();
    a.subscribe('room:1', onA);
    b.subscribe('room:1', onB);
    await Promise.all([a.subscribed('room:1'), b.subscribed('room:1')]);

    a.broadcast('room:1', 'once', {});
    await waitFor(() => onB.events().includes('once'), { what: 'B to receive it' });
    await barrier('sync');

    expect(onA.events()).toEqual(['once']);
    expect(a.stats.received).toBe(1); // the barrier, not the echo
  });

  it('stops delivering (and stops receiving from Redis) once the last local subscriber leaves', async () => {
    const prefix = newPrefix();
    a = await node(url, prefix);
    b = await node(url, prefix);
    const first = new Probe();
    const second = new Probe();
    b.subscribe('room:1', first);
    b.subscribe('room:1', second);
    await b.subscribed('room:1');
    b.unsubscribe('room:1', first);
    a.broadcast('room:1', 'one', {});
    await waitFor(() => second.events().includes('one'), { what: 'the remaining subscriber' });
    expect(first.events()).toEqual([]);

    b.unsubscribe('room:1', second);
    expect(b.subscriberCount('room:1')).toBe(0);
    await expect(b.subscribed('room:1')).rejects.toThrow(/no local subscriber/);
    const later = new Probe();
    b.subscribe('room:2', later);
    await b.subscribed('room:2');
    const receivedBefore = b.stats.received;
    a.broadcast('room:1', 'two', {});
    a.broadcast('room:2', 'marker', {});
    // Published in this order on one connection: room:1's would have arrived first.
    await waitFor(() => later.events().includes('marker'), { what: 'the marker' });
    expect(second.events()).toEqual(['one']);
    expect(b.stats.received - receivedBefore).toBe(1);
  });

  it('fails to connect within connectTimeoutMs, naming the URL', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(RedisPubSub.connect({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 })).rejects.toThrow(
      new RegExp(`redis://127\\.0\\.0\\.1:${port}.*unreachable`),
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('does not put the password in the error', async () => {
    const port = await freePort();
    const error = await RedisPubSub.connect({
      url: `redis://user:s3cret@127.0.0.1:${port}`,
      connectTimeoutMs: 100,
    }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(String(error)).toMatch(/unreachable/);
    expect(String(error)).not.toContain('s3cret');
  });
});

describe.skipIf(!redisUrl)(`RedisPubSub while Redis is down${SKIPPED}`, () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(() => server?.stop());

  it('keeps delivering locally, counts the dropped copies, logs the outage once and recovers', async () => {
    const prefix = newPrefix();
    const logger = recordingLogger();
    const a = await node(server.url, prefix, { logger });
    const b = await node(server.url, prefix);
    const changes: boolean[] = [];
    a.onConnectionChange((connected) => changes.push(connected));
    const onA = new Probe();
    const onB = new Probe();
    a.subscribe('room:1', onA);
    b.subscribe('room:1', onB);
    await b.subscribed('room:1');

    await server.stop('kill');
    await waitFor(() => !a.connected && !b.connected, { what: 'both nodes to notice the outage' });
    expect(changes).toEqual([false]);
    const droppedBefore = a.stats.dropped;
    expect(() => a.broadcast('room:1', 'during', { n: 1 })).not.toThrow();
    expect(() => a.broadcast('room:1', 'during', new Uint8Array([1, 2]))).not.toThrow();
    expect(onA.events()).toEqual(['during', 'during']);
    expect(a.stats.dropped - droppedBefore).toBe(2);
    // A topic subscribed during the outage is subscribed on recovery.
    const late = new Probe();
    b.subscribe('room:late', late);

    await server.restart();
    await waitFor(() => a.connected && b.connected, { what: 'both nodes to reconnect' });
    expect(changes).toEqual([false, true]);
    await Promise.all([b.subscribed('room:1'), b.subscribed('room:late')]);
    a.broadcast('room:1', 'after', {});
    a.broadcast('room:late', 'after', {});
    await waitFor(() => onB.events().includes('after') && late.events().includes('after'), {
      what: 'broadcasts after the restart',
    });
    expect(onB.events()).toEqual(['after']);
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    expect(logger.lines.filter((line) => line.level === 'info')).toHaveLength(1);
    expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('survives a clean shutdown and several restarts in a row', async () => {
    const prefix = newPrefix();
    const a = await node(server.url, prefix);
    const b = await node(server.url, prefix);
    const onB = new Probe();
    b.subscribe('room:1', onB);
    for (const [round, mode] of (['shutdown', 'kill', 'kill'] as const).entries()) {
      await server.stop(mode);
      await waitFor(() => !b.connected, { what: 'B to notice the outage' });
      await server.restart();
      await waitFor(() => a.connected && b.connected, { what: 'both nodes to reconnect' });
      await b.subscribed('room:1');
      a.broadcast('room:1', `${mode}-${round}`, {});
      await waitFor(() => onB.events().at(-1) === `${mode}-${round}`, { what: `the broadcast after ${mode}` });
    }
    expect(onB.events()).toEqual(['shutdown-0', 'kill-1', 'kill-2']);
  });
});
