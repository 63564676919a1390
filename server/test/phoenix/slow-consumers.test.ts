/**
 * Slow consumers over real sockets, against the library alone (protocol test server):
 * - a client that stops reading is closed with 1013 once its unsent backlog passes
 *   `maxSendBacklogBytes`, and dropped if it never takes the close frame (`closeTimeoutMs`);
 * - a channel whose handler is slow holds at most `maxQueuedMessages` pushes, and so does a socket
 *   waiting for a slow join: more are answered `message queue full` at once;
 * and in every case the other clients of the server carry on as if nothing happened.
 */
import type { Socket } from 'node:net';
import { type ChannelHandler, CloseCode, ok, Reason } from '@starcatch/phoenix';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { heartbeat, heartbeatReply, join, ok as okFrame, push, reply } from '../conformance/frames.ts';
import { waitFor } from '../integration/wait-for.ts';
import { type ProtocolTestServer, startProtocolTestServer, type TestAssigns } from '../support/protocol-test-server.ts';
import { RawSocket } from '../support/raw-socket.ts';

const CHUNK = 'x'.repeat(64 * 1024);
/** Far past loopback's socket buffers (a few MiB) plus the backlog limit. */
const FLOOD_BYTES = 24 * 1024 * 1024;
const BACKLOG_LIMIT = 1024 * 1024;
const QUEUE_LIMIT = 10;

/** What the library logged at warn, to read the backlog it closed at. */
const warnings: { context: Record<string, unknown>; message: string }[] = [];
const logger = {
  debug() {},
  info() {},
  warn: (context: object, message: string) => warnings.push({ context: context as Record<string, unknown>, message }),
  error() {},
};

let gate = Promise.withResolvers<void>();
let joinGate = Promise.withResolvers<void>();

/**
 * `flood:*`: `flood {bytes}` pushes that many bytes to this client in 64 KiB pushes.
 * `slow:*`: `slow` is answered once the test opens `gate`; `fast` at once; a join with
 * `{wait: true}` completes once the test opens `joinGate`.
 */
const channels: Record<string, ChannelHandler<TestAssigns>> = {
  'flood:*': {
    join: () => ok({}),
    handleIn(event, payload, channel) {
      if (event !== 'flood') return ok(payload as object);
      const { bytes } = payload as { bytes: number };
      for (let sent = 0; sent < bytes && !channel.closed; sent += CHUNK.length) channel.push('blob', { data: CHUNK });
      return ok({});
    },
  },
  'slow:*': {
    async join(_topic, params) {
      if ((params as { wait?: boolean }).wait) await joinGate.promise;
      return ok({});
    },
    handleIn(event, payload) {
      if (event === 'slow') return gate.promise.then(() => ok(payload as object));
      return ok(payload as object);
    },
  },
};

const servers: ProtocolTestServer[] = [];
const sockets: RawSocket[] = [];
afterEach(async () => {
  gate.resolve();
  joinGate.resolve();
  gate = Promise.withResolvers<void>();
  joinGate = Promise.withResolvers<void>();
  for (const socket of sockets.splice(0)) socket.ws.terminate();
  await Promise.all(servers.splice(0).map((server) => server.close()));
  warnings.length = 0;
});

async function start(options: Parameters<typeof startProtocolTestServer>[0] = {}): Promise<ProtocolTestServer> {
  const server = await startProtocolTestServer({ socket: { channels, logger }, ...options });
  servers.push(server);
  return server;
}

async function connect(server: ProtocolTestServer, user: string): Promise<RawSocket> {
  const socket = await RawSocket.open(server.wsUrl({ user }));
  sockets.push(socket);
  return socket;
}

async function joined(socket: RawSocket, topic: string, joinRef = '1'): Promise<void> {
  socket.send(join(joinRef, topic));
  expect(await socket.nextJson()).toEqual(okFrame(joinRef, joinRef, topic));
}

/** Heartbeat round trips of a healthy client, every 20 ms while `running()`. */
async function heartbeatTimes(socket: RawSocket, running: () => boolean): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; running() || i < 3; i++) {
    const startedAt = performance.now();
    socket.send(heartbeat(`hb${i}`));
    expect(await socket.nextJson()).toEqual(heartbeatReply(`hb${i}`));
    times.push(performance.now() - startedAt);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return times;
}

describe('a client that stops reading', () => {
  it('is closed with 1013 past maxSendBacklogBytes; the server stops spending on it; others are unaffected', async () => {
    const server = await start({ maxSendBacklogBytes: BACKLOG_LIMIT });
    const slow = await connect(server, 'slow');
    const healthy = await connect(server, 'healthy');
    await joined(slow, 'flood:slow');
    await joined(healthy, 'flood:healthy');

    slow.ws.pause();
    let flooding = true;
    const beats = heartbeatTimes(healthy, () => flooding);
    const startedAt = performance.now();
    slow.send(push('1', '2', 'flood:slow', 'flood', { bytes: FLOOD_BYTES }));
    await waitFor(() => server.socket.connectionCount === 1, {
      what: 'the slow socket to be closed',
      timeoutMs: 5_000,
    });
    const closedInMs = performance.now() - startedAt;
    flooding = false;
    const times = await beats;

    const overflow = warnings.find((w) => w.message.includes('send backlog over the limit'));
    expect(overflow?.context).toMatchObject({ limit: BACKLOG_LIMIT, backlog: expect.any(Number) });
    const backlogAtClose = Number(overflow?.context.backlog);
    expect(backlogAtClose).toBeGreaterThan(BACKLOG_LIMIT);
    // Closed at the first push past the limit: the other ~20 MiB were never queued.
    expect(backlogAtClose).toBeLessThan(BACKLOG_LIMIT + 2 * CHUNK.length + 1024);

    // The client reads again: it gets what was queued, then the close frame with 1013.
    slow.ws.resume();
    expect(await slow.closed).toEqual({ code: CloseCode.sendBacklog, reason: 'send backlog over the limit' });

    // The healthy client never waited on the slow one, and still works.
    healthy.send(push('1', '3', 'flood:healthy', 'echo', { still: 'here' }));
    expect(await healthy.nextJson()).toEqual(okFrame('1', '3', 'flood:healthy', { still: 'here' }));
    const worstBeatMs = Math.max(...times);
    expect(worstBeatMs).toBeLessThan(250);
    console.info(
      `backlog cap ${BACKLOG_LIMIT} B: closed at ${backlogAtClose} B unsent, ${closedInMs.toFixed(0)} ms after the flood began; ` +
        `healthy client's slowest heartbeat meanwhile ${worstBeatMs.toFixed(1)} ms (${times.length} beats)`,
    );
  });

  it('is dropped after closeTimeoutMs when it never takes the close frame, freeing its backlog', async () => {
    const closeTimeoutMs = 300;
    const server = await start({ maxSendBacklogBytes: BACKLOG_LIMIT, closeTimeoutMs });
    const slow = await connect(server, 'slow');
    const healthy = await connect(server, 'healthy');
    await joined(slow, 'flood:slow');
    slow.ws.pause();
    slow.send(push('1', '2', 'flood:slow', 'flood', { bytes: FLOOD_BYTES }));
    await waitFor(() => server.socket.connectionCount === 1, { what: 'the slow socket to be closed' });
    const closedAt = performance.now();
    // Both TCP connections are still open (the slow one holds its backlog and the close frame)...
    expect(await tcpConnections(server)).toBe(2);
    // ...until the close timeout drops the slow one.
    for (;;) {
      if ((await tcpConnections(server)) === 1) break;
      if (performance.now() - closedAt > 3_000) throw new Error('the slow connection was never dropped');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const droppedAfterMs = performance.now() - closedAt;
    expect(droppedAfterMs).toBeGreaterThanOrEqual(closeTimeoutMs - 50);
    expect(droppedAfterMs).toBeLessThan(closeTimeoutMs + 500);
    await expectAlive(healthy);
    console.info(`a client that never reads again: connection dropped ${droppedAfterMs.toFixed(0)} ms after the 1013`);
  });

  it('a slow client that keeps reading is never closed', async () => {
    const server = await start({ maxSendBacklogBytes: BACKLOG_LIMIT });
    const reader = new WebSocket(server.wsUrl({ user: 'reader' }));
    await new Promise((resolve, reject) => reader.once('open', resolve).once('error', reject));
    let received = 0;
    const closes: number[] = [];
    reader.on('message', (data: Buffer) => {
      received += data.length;
    });
    reader.on('close', (code) => closes.push(code));
    reader.send(JSON.stringify(join('1', 'flood:reader')));
    // 8 MiB in 256 KiB steps, each waiting for the client to take the previous one.
    for (let step = 0; step < 32; step++) {
      const before = received;
      reader.send(JSON.stringify(push('1', String(step + 2), 'flood:reader', 'flood', { bytes: 256 * 1024 })));
      await waitFor(() => received >= before + 256 * 1024, { what: `step ${step}` });
    }
    expect(closes).toEqual([]);
    expect(server.socket.connectionCount).toBe(1);
    reader.terminate();
  });
});

describe('a slow channel handler', () => {
  it('holds at most maxQueuedMessages pushes; more are refused at once; other channels and sockets are unaffected', async () => {
    const server = await start({ maxQueuedMessages: QUEUE_LIMIT });
    const client = await connect(server, 'pusher');
    const other = await connect(server, 'other');
    await joined(client, 'slow:1', '1');
    await joined(client, 'slow:fast', '2');
    await joined(other, 'slow:1', '1');

    const sent = QUEUE_LIMIT + 5;
    for (let i = 1; i <= sent; i++) client.send(push('1', `s${i}`, 'slow:1', 'slow', { i }));
    // The 5 past the limit are answered at once, in order; the 10 before them wait for the handler.
    const refused = [];
    for (let i = QUEUE_LIMIT + 1; i <= sent; i++) refused.push(await client.nextJson());
    expect(refused).toEqual(
      Array.from({ length: 5 }, (_, k) =>
        reply('1', `s${QUEUE_LIMIT + 1 + k}`, 'slow:1', 'error', { reason: Reason.queueFull }),
      ),
    );

    // Another channel of the same socket, and another socket on the same topic, answer at once.
    client.send(push('2', 'f1', 'slow:fast', 'fast', { quick: true }));
    expect(await client.nextJson()).toEqual(okFrame('2', 'f1', 'slow:fast', { quick: true }));
    await expectAlive(client);
    other.send(push('1', 'o1', 'slow:1', 'fast', { other: true }));
    expect(await other.nextJson()).toEqual(okFrame('1', 'o1', 'slow:1', { other: true }));

    // The handler catches up: the queued ten are answered, in order, and the channel takes pushes again.
    gate.resolve();
    const answered = [];
    for (let i = 1; i <= QUEUE_LIMIT; i++) answered.push(await client.nextJson());
    expect(answered).toEqual(
      Array.from({ length: QUEUE_LIMIT }, (_, k) => okFrame('1', `s${k + 1}`, 'slow:1', { i: k + 1 })),
    );
    client.send(push('1', 'again', 'slow:1', 'slow', { again: true }));
    expect(await client.nextJson()).toEqual(okFrame('1', 'again', 'slow:1', { again: true }));
  });

  it('a burst of quick pushes far past the limit, arriving in one read, is answered in full', async () => {
    const server = await start({ maxQueuedMessages: QUEUE_LIMIT });
    const client = await connect(server, 'burst');
    await joined(client, 'slow:1');
    const burst = 30 * QUEUE_LIMIT;
    const tcp = (client.ws as unknown as { _socket: Socket })._socket;
    tcp.cork();
    for (let i = 1; i <= burst; i++) client.send(push('1', String(i), 'slow:1', 'fast', { i }));
    tcp.uncork();
    const replies = [];
    for (let i = 1; i <= burst; i++) replies.push(await client.nextJson());
    expect(replies).toEqual(
      Array.from({ length: burst }, (_, k) => okFrame('1', String(k + 1), 'slow:1', { i: k + 1 })),
    );
  });
});

describe('a socket waiting for a slow join', () => {
  it('holds at most maxQueuedMessages frames behind it; more are refused at once; other sockets are unaffected', async () => {
    const server = await start({ maxQueuedMessages: QUEUE_LIMIT });
    const client = await connect(server, 'joiner');
    const other = await connect(server, 'other');
    client.send(join('1', 'slow:1', { wait: true }));
    // The join holds one place; nine frames wait behind it; the rest are refused, heartbeats included.
    for (let i = 1; i <= QUEUE_LIMIT + 3; i++) client.send(heartbeat(`h${i}`));
    const refused = [];
    for (let i = QUEUE_LIMIT; i <= QUEUE_LIMIT + 3; i++) refused.push(await client.nextJson());
    expect(refused).toEqual(
      Array.from({ length: 4 }, (_, k) =>
        reply(null, `h${QUEUE_LIMIT + k}`, 'phoenix', 'error', { reason: Reason.queueFull }),
      ),
    );
    await expectAlive(other);
    await joined(other, 'slow:2');

    joinGate.resolve();
    const rest = [];
    for (let i = 0; i < QUEUE_LIMIT; i++) rest.push(await client.nextJson());
    expect(rest).toEqual([
      okFrame('1', '1', 'slow:1'),
      ...Array.from({ length: QUEUE_LIMIT - 1 }, (_, k) => heartbeatReply(`h${k + 1}`)),
    ]);
    await expectAlive(client);
  });
});

/** TCP connections the server holds, WebSockets included. */
function tcpConnections(server: ProtocolTestServer): Promise<number> {
  return new Promise((resolve, reject) =>
    server.http.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

async function expectAlive(socket: RawSocket): Promise<void> {
  socket.send(heartbeat('alive'));
  expect(await socket.nextJson()).toEqual(heartbeatReply('alive'));
}
