import type { AddressInfo } from 'node:net';
import { PhoenixSocket, webSocketTransport } from '@starcatch/phoenix';
import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ProtocolTestServer,
  startProtocolTestServer,
  type TestAssigns,
  terminations,
  testRoomChannel,
  VALID_TOKEN,
} from '../support/protocol-test-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { joinLobby, metaCounts, openAs, refsOf } from './lobby-presence.ts';
import {
  ClientSockets,
  join,
  Presence,
  presenceEntries,
  push,
  recordSyncs,
  rejoined,
  watchSocket,
} from './phoenix-client.ts';
import { QUIET_WINDOW_MS, sleep, waitFor } from './wait-for.ts';

/** The oversized push is lost with its connection; its timeout only has to end before the test does. */
const OVERSIZED_PUSH_TIMEOUT_MS = 500;

const clients = new ClientSockets();
afterEach(() => clients.disconnectAll());

describe('phoenix.js reconnect after the server kicks the socket', () => {
  let server: ProtocolTestServer;
  beforeAll(async () => {
    server = await startProtocolTestServer();
  });
  afterAll(() => server.close());

  it('reconnects after close 1001 and rejoins every channel under new join_refs', async () => {
    const socket = await clients.open(server.socketUrl, { params: { token: VALID_TOKEN, user: 'kicked' } });
    const seen = watchSocket(socket);
    const first = socket.channel('room:kick-a');
    const second = socket.channel('room:kick-b');
    const channelErrors: unknown[] = [];
    first.onError((reason: unknown) => {
      channelErrors.push(reason);
    });
    await Promise.all([join(first), join(second)]);
    const joinRefs = [first.joinRef(), second.joinRef()];

    expect(server.socket.disconnect('user_socket:kicked')).toBe(1);
    const newJoinRefs = [await rejoined(first, joinRefs[0] ?? null), await rejoined(second, joinRefs[1] ?? null)];

    expect(seen.closeCodes).toEqual([1001]);
    expect(seen.opens).toBe(1);
    expect(channelErrors).toEqual([{ source: 'transport', reason: 'connection_closed' }]);
    expect(newJoinRefs).not.toContain(joinRefs[0]);
    expect(newJoinRefs).not.toContain(joinRefs[1]);
    expect(await push(first, 'echo', { after: 'kick' })).toEqual({ status: 'ok', response: { after: 'kick' } });
    expect(await push(second, 'echo', { after: 'kick' })).toEqual({ status: 'ok', response: { after: 'kick' } });
    expect(terminations.filter((entry) => entry.topic === 'room:kick-a').map((entry) => entry.reason)).toEqual([
      'kicked',
    ]);
    expect(server.socket.connectionCount).toBe(1);
  });

  it('reconnects and rejoins after the server closes for an oversized frame (1009)', async () => {
    const socket = await clients.open(server.socketUrl, { params: { token: VALID_TOKEN, user: 'oversized' } });
    const seen = watchSocket(socket);
    const channel = socket.channel('room:oversized');
    await join(channel);
    const joinRef = channel.joinRef();

    // Above the 128 KiB default maximum frame size of the transport.
    channel.push('echo', { blob: 'x'.repeat(200 * 1024) }, OVERSIZED_PUSH_TIMEOUT_MS);
    await rejoined(channel, joinRef);

    expect(seen.closeCodes).toEqual([1009]);
    expect(seen.opens).toBe(1);
    expect(await push(channel, 'echo', { small: true })).toEqual({ status: 'ok', response: { small: true } });
  });

  it('kicks only the sockets of the named user', async () => {
    const kicked = await clients.open(server.socketUrl, { params: { token: VALID_TOKEN, user: 'kick-me' } });
    const bystander = await clients.open(server.socketUrl, { params: { token: VALID_TOKEN, user: 'stay' } });
    const kickedSeen = watchSocket(kicked);
    const bystanderSeen = watchSocket(bystander);

    expect(server.socket.disconnect('user_socket:kick-me')).toBe(1);
    await waitFor(() => kickedSeen.opens === 1, { what: 'the kicked socket to reconnect' });

    expect(kickedSeen.closeCodes).toEqual([1001]);
    expect(bystanderSeen).toEqual({ opens: 0, closeCodes: [], errors: 0 });
  });
});

describe('phoenix.js Presence after a reconnect', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('resyncs the lobby: the kicked user comes back with one fresh meta, seen by everyone', async () => {
    const alice = await server.signIn('alice');
    const bob = await server.signIn('bob');
    const aliceSocket = await openAs(clients, server.socketUrl, alice.token);
    const aliceView = await joinLobby(aliceSocket);
    const bobView = await joinLobby(await openAs(clients, server.socketUrl, bob.token));
    const everyone = { [alice.user.id]: 1, [bob.user.id]: 1 };
    for (const view of [aliceView, bobView]) {
      await waitFor(() => {
        expect(metaCounts(view.syncs.at(-1))).toEqual(everyone);
      });
    }
    const [oldRef] = refsOf(aliceView.syncs.at(-1), alice.user.id);
    const aliceSyncsBefore = aliceView.syncs.length;
    const bobSyncsBefore = bobView.syncs.length;

    expect(server.app.socket.disconnect(`user_socket:${alice.user.id}`)).toBe(1);

    // Alice's own Presence: a new presence_state after the rejoin, with her new meta replacing the old one.
    await waitFor(() => {
      expect(aliceView.syncs.length).toBeGreaterThan(aliceSyncsBefore);
      expect(metaCounts(aliceView.syncs.at(-1))).toEqual(everyone);
      expect(refsOf(aliceView.syncs.at(-1), alice.user.id)).not.toEqual([oldRef]);
    });
    const [newRef] = refsOf(aliceView.syncs.at(-1), alice.user.id);
    // Bob saw her leave, then come back.
    await waitFor(() => {
      expect(refsOf(bobView.syncs.at(-1), alice.user.id)).toEqual([newRef]);
    });
    expect(bobView.syncs.slice(bobSyncsBefore).map(metaCounts)).toEqual([{ [bob.user.id]: 1 }, everyone]);
    expect(presenceEntries(aliceView.presence)).toEqual(presenceEntries(bobView.presence));
  });
});

/** The protocol test server's socket, served on a chosen port so it can come back on the same one. */
async function listenProbeServer(port: number): Promise<{ port: number; close(): Promise<void> }> {
  const socket = new PhoenixSocket<TestAssigns>({
    connect: ({ params }) =>
      params.token === VALID_TOKEN ? { ok: true, assigns: { userId: params.user ?? 'anonymous' } } : { ok: false },
    channels: { 'room:*': testRoomChannel },
  });
  const http = Fastify({ logger: false });
  await http.register(webSocketTransport<TestAssigns>, { socket, path: '/socket' });
  await http.listen({ port, host: '127.0.0.1' });
  return { port: (http.server.address() as AddressInfo).port, close: () => http.close() };
}

describe('phoenix.js reconnect after a server restart', () => {
  it('reconnects to the new server, rejoins, and gets a fresh presence state', async () => {
    let server = await listenProbeServer(0);
    const socketUrl = `ws://127.0.0.1:${server.port}/socket`;
    try {
      const socket = await clients.open(socketUrl, { params: { token: VALID_TOKEN, user: 'survivor' } });
      const seen = watchSocket(socket);
      // `track` makes the test channel track this key and push presence_state after the join.
      const channel = socket.channel('room:restart', { track: 'survivor' });
      const presence = new Presence(channel);
      const syncs = recordSyncs(presence);
      await join(channel);
      await waitFor(() => syncs.length > 0, { what: 'the first sync' });
      await sleep(QUIET_WINDOW_MS);
      // The state, and the diff of this very track unless it came first and was buffered: same list.
      const [oldRef] = refsOf(syncs[0], 'survivor');
      for (const sync of syncs) expect(sync).toEqual({ survivor: [{ user: 'survivor', phx_ref: oldRef }] });
      const syncsBefore = syncs.length;
      const joinRef = channel.joinRef();

      // Closing the server drains its sockets with 1012; the client retries until the new one listens.
      await server.close();
      server = await listenProbeServer(server.port);
      await rejoined(channel, joinRef);
      // phoenix.js buffers diffs until the new join's state, so this is one or two syncs, both of the new meta.
      await waitFor(() => syncs.length > syncsBefore, { what: 'a sync after the rejoin' });
      await sleep(QUIET_WINDOW_MS);

      // 1012 from the drain, then 1006 for each attempt made while nothing listened on the port.
      expect(seen.closeCodes[0]).toBe(1012);
      expect(new Set(seen.closeCodes.slice(1))).toEqual(new Set(seen.closeCodes.length > 1 ? [1006] : []));
      expect(seen.opens).toBe(1);
      const [newRef] = refsOf(syncs.at(-1), 'survivor');
      expect(newRef).not.toBe(oldRef);
      for (const sync of syncs.slice(syncsBefore))
        expect(sync).toEqual({ survivor: [{ user: 'survivor', phx_ref: newRef }] });
      expect(await push(channel, 'echo', { on: 'new server' })).toEqual({
        status: 'ok',
        response: { on: 'new server' },
      });
    } finally {
      await clients.disconnectAll();
      await server.close();
    }
  });
});
