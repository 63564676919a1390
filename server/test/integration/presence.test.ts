import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ProtocolTestServer, startProtocolTestServer, VALID_TOKEN } from '../support/protocol-test-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { joinLobby, metaCounts, openAs, refsOf } from './lobby-presence.ts';
import { ClientSockets, join, Presence, push, recordSyncs } from './phoenix-client.ts';
import { waitFor } from './wait-for.ts';

let server: TestServer;
const clients = new ClientSockets();

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await clients.disconnectAll();
  // The lobby is shared: the next test starts once the server has let go of every socket.
  await waitFor(() => server.app.socket.connectionCount === 0, { what: 'the server to close every socket' });
});
afterAll(() => server.close());

describe('phoenix.js Presence on the lobby', () => {
  it('lists one key per user with one meta per socket, and drops metas as sockets close', async () => {
    const alice = await server.signIn('alice');
    const bob = await server.signIn('bob');
    const aliceId = alice.user.id;
    const bobId = bob.user.id;

    const aliceFirstSocket = await openAs(clients, server.socketUrl, alice.token);
    const aliceFirst = await joinLobby(aliceFirstSocket);
    // Alone in the lobby: the state pushed after the join holds exactly this socket's meta.
    await waitFor(() => aliceFirst.syncs.length > 0, { what: "alice's first sync" });
    expect(metaCounts(aliceFirst.syncs[0])).toEqual({ [aliceId]: 1 });
    const [firstRef] = refsOf(aliceFirst.syncs[0], aliceId);

    const aliceSecondSocket = await openAs(clients, server.socketUrl, alice.token);
    const aliceSecond = await joinLobby(aliceSecondSocket);
    const bobSocket = await openAs(clients, server.socketUrl, bob.token);
    const bobView = await joinLobby(bobSocket);
    const leaves: { key: string; left: number; remaining: number }[] = [];
    bobView.presence.onLeave((key, current: { metas: unknown[] }, left: { metas: unknown[] }) =>
      leaves.push({ key: key ?? '', left: left.metas.length, remaining: current.metas.length }),
    );

    for (const view of [aliceFirst, aliceSecond, bobView]) {
      await waitFor(() => {
        expect(metaCounts(view.syncs.at(-1))).toEqual({ [aliceId]: 2, [bobId]: 1 });
      });
    }
    const bothRefs = refsOf(bobView.syncs.at(-1), aliceId);
    expect(bothRefs).toContain(firstRef);
    // Every client sees the same metas (same phx_refs), and each meta says who it is.
    expect(refsOf(aliceFirst.syncs.at(-1), aliceId)).toEqual(bothRefs);
    expect(refsOf(aliceSecond.syncs.at(-1), bobId)).toEqual(refsOf(bobView.syncs.at(-1), bobId));
    for (const meta of bobView.syncs.at(-1)?.[aliceId] ?? []) {
      expect(meta).toEqual({
        nickname: 'alice',
        color: alice.user.color,
        online_at: expect.any(Number),
        phx_ref: expect.any(String),
      });
    }

    await clients.disconnect(aliceSecondSocket);
    await waitFor(() => {
      expect(metaCounts(bobView.syncs.at(-1))).toEqual({ [aliceId]: 1, [bobId]: 1 });
    });
    // The meta that stays is the first socket's.
    expect(refsOf(bobView.syncs.at(-1), aliceId)).toEqual([firstRef]);
    await waitFor(() => {
      expect(metaCounts(aliceFirst.syncs.at(-1))).toEqual({ [aliceId]: 1, [bobId]: 1 });
    });

    await clients.disconnect(aliceFirstSocket);
    await waitFor(() => {
      expect(metaCounts(bobView.syncs.at(-1))).toEqual({ [bobId]: 1 });
    });
    expect(leaves).toEqual([
      { key: aliceId, left: 1, remaining: 1 },
      { key: aliceId, left: 1, remaining: 0 },
    ]);
  });

  it('sends the joiner a state that already includes its own meta', async () => {
    const carol = await server.signIn('carol');
    const view = await joinLobby(await openAs(clients, server.socketUrl, carol.token));

    await waitFor(() => view.syncs.length > 0, { what: 'the first sync' });
    expect(view.syncs[0]).toEqual({
      [carol.user.id]: [
        { nickname: 'carol', color: carol.user.color, online_at: expect.any(Number), phx_ref: expect.any(String) },
      ],
    });
  });
});

describe('phoenix.js Presence with a meta update', () => {
  let probe: ProtocolTestServer;
  beforeAll(async () => {
    probe = await startProtocolTestServer();
  });
  afterAll(() => probe.close());

  /** Joins `topic` tracking `user` (the test channel's `track` param), with a Presence attached. */
  async function trackAs(user: string, topic: string) {
    const socket = await clients.open(probe.socketUrl, { params: { token: VALID_TOKEN, user } });
    const channel = socket.channel(topic, { track: user });
    const presence = new Presence(channel);
    const syncs = recordSyncs(presence);
    await join(channel);
    return { channel, syncs };
  }

  it('replaces the meta in place: one meta, the new fields, phx_ref_prev naming the old one', async () => {
    const mover = await trackAs('mover', 'room:status');
    const watcher = await trackAs('watcher', 'room:status');
    await waitFor(() => {
      expect(metaCounts(watcher.syncs.at(-1))).toEqual({ mover: 1, watcher: 1 });
    });
    const [oldRef] = refsOf(watcher.syncs.at(-1), 'mover');

    expect(await push(mover.channel, 'update_presence', { meta: { status: 'away' } })).toEqual({
      status: 'ok',
      response: {},
    });

    for (const view of [mover, watcher]) {
      await waitFor(() => {
        expect(view.syncs.at(-1)?.mover).toEqual([
          { status: 'away', phx_ref: expect.any(String), phx_ref_prev: oldRef },
        ]);
      });
    }
    expect(refsOf(watcher.syncs.at(-1), 'mover')).not.toEqual([oldRef]);
    expect(watcher.syncs.at(-1)?.watcher).toEqual([{ user: 'watcher', phx_ref: expect.any(String) }]);
  });
});
