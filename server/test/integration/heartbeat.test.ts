import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ProtocolTestServer, startProtocolTestServer, VALID_TOKEN } from '../support/protocol-test-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { ClientSockets, join, push, recordMessages, watchSocket } from './phoenix-client.ts';
import { waitFor } from './wait-for.ts';

/**
 * 300 times shorter than the 30 s default. It is also the client's deadline for each reply, and
 * client and server share one event loop here, so it stays well above a stall of a loaded CI machine.
 */
const FAST_HEARTBEAT_MS = 100;
/** How many intervals a socket must survive. */
const INTERVALS = 6;

const clients = new ClientSockets();
afterEach(() => clients.disconnectAll());

describe('phoenix.js heartbeats against the protocol test socket', () => {
  let server: ProtocolTestServer;
  beforeAll(async () => {
    server = await startProtocolTestServer();
  });
  afterAll(() => server.close());

  it('stays connected over several short heartbeat intervals, each heartbeat answered', async () => {
    const socket = await clients.open(server.socketUrl, {
      params: { token: VALID_TOKEN, user: 'pulse' },
      heartbeatIntervalMs: FAST_HEARTBEAT_MS,
    });
    const seen = watchSocket(socket);
    const messages = recordMessages(socket);
    const channel = socket.channel('room:pulse');
    await join(channel);

    const heartbeatReplies = () => messages.filter((message) => message.topic === 'phoenix');
    await waitFor(() => heartbeatReplies().length >= INTERVALS, {
      what: `${INTERVALS} heartbeat replies`,
      timeoutMs: FAST_HEARTBEAT_MS * INTERVALS * 5,
    });

    // A missed reply would have closed the socket with 1000 "heartbeat timeout" and reconnected.
    expect(seen).toEqual({ opens: 0, closeCodes: [], errors: 0 });
    expect(socket.isConnected()).toBe(true);
    for (const reply of heartbeatReplies()) {
      expect(reply).toEqual({
        join_ref: null,
        ref: expect.any(String),
        topic: 'phoenix',
        event: 'phx_reply',
        payload: { status: 'ok', response: {} },
      });
    }
    expect(new Set(heartbeatReplies().map((reply) => reply.ref)).size).toBe(heartbeatReplies().length);
    expect(await push(channel, 'echo', { still: 'joined' })).toEqual({ status: 'ok', response: { still: 'joined' } });
  });

  it('reports a round-trip time through socket.ping', async () => {
    const socket = await clients.open(server.socketUrl, { params: { token: VALID_TOKEN, user: 'pinger' } });
    const rtts: number[] = [];

    expect(socket.ping((rtt) => rtts.push(rtt))).toBe(true);
    expect(socket.ping((rtt) => rtts.push(rtt))).toBe(true);
    await waitFor(() => rtts.length === 2, { what: 'two ping replies' });

    for (const rtt of rtts) {
      expect(rtt).toBeGreaterThanOrEqual(0);
      expect(rtt).toBeLessThan(1_000);
    }
  });

  it('refuses to ping while disconnected', async () => {
    const socket = await clients.open(server.socketUrl, { params: { token: VALID_TOKEN, user: 'offline' } });
    await clients.disconnect(socket);

    expect(socket.ping(() => undefined)).toBe(false);
  });
});

describe('phoenix.js heartbeats against the game server idle timeout', () => {
  /** The server closes a socket that sent nothing for this long: shrunk from 60 s, 3 heartbeat intervals. */
  const IDLE_TIMEOUT_MS = 3 * FAST_HEARTBEAT_MS;
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SOCKET_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) });
  });
  afterAll(() => server.close());

  it('keeps a heartbeating socket open across several idle timeouts', async () => {
    const { token } = await server.signIn('steady');
    const socket = await clients.open(server.socketUrl, { params: { token }, heartbeatIntervalMs: FAST_HEARTBEAT_MS });
    const seen = watchSocket(socket);
    const messages = recordMessages(socket);

    await waitFor(() => messages.filter((message) => message.topic === 'phoenix').length >= INTERVALS, {
      what: `${INTERVALS} heartbeat replies`,
      timeoutMs: FAST_HEARTBEAT_MS * INTERVALS * 5,
    });
    // Six intervals are two idle timeouts: only the heartbeats kept the server from closing it.
    expect(seen).toEqual({ opens: 0, closeCodes: [], errors: 0 });
  });

  it('closes a silent socket with 1002, and phoenix.js reconnects', async () => {
    const { token } = await server.signIn('sleepy');
    // The default 30 s heartbeat never fires within the idle timeout.
    const socket = await clients.open(server.socketUrl, { params: { token } });
    const seen = watchSocket(socket);

    await waitFor(() => seen.opens === 1, { what: 'the reconnect after the idle close' });
    expect(seen.closeCodes).toEqual([1002]);
  });
});
