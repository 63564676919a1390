import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LongPollTestServer, startLongPollTestServer } from '../support/longpoll-test-server.ts';
import { VALID_TOKEN } from '../support/protocol-test-server.ts';
import { refsOf } from './lobby-presence.ts';
import {
  bytesOf,
  connectSocket,
  FAST_TIMERS,
  join,
  outcome,
  type PresenceEntries,
  recordEvents,
  rejoined,
} from './phoenix-client.ts';
import { installedVersion, PHOENIX_VERSIONS } from './phoenix-versions.ts';
import { QUIET_WINDOW_MS, sleep, waitFor } from './wait-for.ts';

// The same scenarios against phoenix.js 1.5, 1.6, 1.7 and 1.8 (the newest patch of each), over the
// WebSocket: join, push and reply, Presence, binary both ways, and a rejoin after a server restart.
// Differences found are asserted per version and listed in docs/protocol.md ("Client versions").

type Socket = InstanceType<(typeof PHOENIX_VERSIONS)[number]['phoenix']['Socket']>;
type Channel = ReturnType<Socket['channel']>;

const EXPECTED_PATCH = { '1.5': '1.5.14', '1.6': '1.6.16', '1.7': '1.7.23', '1.8': '1.8.16' } as const;

describe.each(PHOENIX_VERSIONS)('phoenix.js $name', (version) => {
  const { Socket, Presence } = version.phoenix;
  let server: LongPollTestServer;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = await startLongPollTestServer();
  });
  afterEach(async () => {
    await Promise.all([...sockets].map(disconnect));
  });
  afterAll(() => server.close());

  /**
   * A connected socket. `transport` is given because 1.5 to 1.7 look for `WebSocket` on `self` or
   * `window` only, which Node does not have (browsers do): the same class they would find there.
   */
  function create(user: string, socketUrl = server.socketUrl): Socket {
    const socket = new Socket(socketUrl, {
      ...FAST_TIMERS,
      transport: WebSocket,
      params: { token: VALID_TOKEN, user },
    });
    sockets.add(socket);
    return socket;
  }

  function open(user: string): Promise<Socket> {
    return connectSocket(create(user), `phoenix.js ${version.name} failed to open`);
  }

  function disconnect(socket: Socket): Promise<void> {
    sockets.delete(socket);
    return new Promise((resolve) => socket.disconnect(() => resolve()));
  }

  /** `channel.push` outcome; 1.5's Push has the same `receive` API. */
  const pushed = (channel: Channel, event: string, payload: object) => outcome(channel.push(event, payload));

  function presenceOf(channel: Channel): { entries: () => PresenceEntries; syncs: number } {
    const presence = new Presence(channel);
    const state = { syncs: 0, entries: (): PresenceEntries => list() };
    const list = (): PresenceEntries => {
      const entries: Record<string, PresenceEntries[string]> = {};
      presence.list((key: string, entry: { metas: PresenceEntries[string] }) => {
        entries[key] = entry.metas;
      });
      return entries;
    };
    presence.onSync(() => {
      state.syncs++;
    });
    return state;
  }

  it(`is phoenix ${EXPECTED_PATCH[version.name as keyof typeof EXPECTED_PATCH]} (npm ${version.packageName})`, () => {
    expect(installedVersion(version.packageName)).toBe(EXPECTED_PATCH[version.name as keyof typeof EXPECTED_PATCH]);
  });

  it('joins, pushes and gets ok and error replies, and receives server pushes and broadcasts', async () => {
    const socket = await open('pusher');
    const channel = socket.channel('room:versions-push', { reply: { hello: version.name } });
    expect(await join(channel)).toEqual({ hello: version.name });
    expect(await pushed(channel, 'echo', { n: 1, text: 'é ✓' })).toEqual({
      status: 'ok',
      response: { n: 1, text: 'é ✓' },
    });
    expect(await pushed(channel, 'error', {})).toEqual({ status: 'error', response: { reason: 'asked for an error' } });
    const nudges = recordEvents(channel, 'nudge');
    const broadcasts = recordEvents(channel, 'shout');
    channel.push('push', { event: 'nudge', payload: { to: 'you' } });
    await pushed(channel, 'broadcast', { event: 'shout', payload: { to: 'all' } });
    await waitFor(() => nudges.length === 1 && broadcasts.length === 1, { what: 'the push and the broadcast' });
    expect(nudges).toEqual([{ to: 'you' }]);
    expect(broadcasts).toEqual([{ to: 'all' }]);
  });

  it('keeps Presence in sync: state, joins, leaves', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    const aliceChannel = alice.channel('room:versions-presence', { track: 'alice' });
    const aliceView = presenceOf(aliceChannel);
    await join(aliceChannel);
    const bobChannel = bob.channel('room:versions-presence', { track: 'bob' });
    const bobView = presenceOf(bobChannel);
    await join(bobChannel);
    for (const view of [aliceView, bobView]) {
      await waitFor(() => {
        expect(Object.keys(view.entries()).sort()).toEqual(['alice', 'bob']);
      });
    }
    expect(refsOf(aliceView.entries(), 'bob')).toEqual(refsOf(bobView.entries(), 'bob'));
    expect(aliceView.entries().bob).toEqual([{ user: 'bob', phx_ref: expect.any(String) }]);

    await disconnect(bob);
    await waitFor(() => {
      expect(Object.keys(aliceView.entries())).toEqual(['alice']);
    });
  });

  it('pushes binary (ArrayBuffer) and receives binary pushes and replies', async () => {
    const socket = await open('binary');
    const probe = socket.channel('probe:versions-binary');
    expect(await join(probe)).toEqual({ supports_binary: true });
    const sent = Uint8Array.from([0, 1, 127, 128, 255]).buffer;
    expect(await pushed(probe, 'bytes', sent as unknown as object)).toEqual({
      status: 'ok',
      response: { bytes: [0, 1, 127, 128, 255] },
    });

    const room = socket.channel('room:versions-binary');
    await join(room);
    const reply = await pushed(room, 'binary', Uint8Array.from([9, 8, 7]).buffer as unknown as object);
    expect(reply.status).toBe('ok');
    expect(bytesOf(reply.response)).toEqual([9, 8, 7]);
    const pushes = recordEvents(room, 'bin');
    room.push('push_binary', Uint8Array.from([4, 5, 6]).buffer as unknown as object);
    await waitFor(() => pushes.length === 1, { what: 'the binary push' });
    expect(bytesOf(pushes[0])).toEqual([4, 5, 6]);
  });

  it(
    version.utf8BinaryHeaders
      ? 'encodes a non-ASCII topic of a binary push as UTF-8'
      : 'writes binary push headers one byte per character: a non-ASCII topic is malformed and closes the socket (1007)',
    async () => {
      const socket = await open('accents');
      const closeCodes: number[] = [];
      socket.onClose((event: { code: number }) => {
        closeCodes.push(event.code);
      });
      const probe = socket.channel('probe:café');
      await join(probe);
      const reply = pushed(probe, 'bytes', Uint8Array.from([1]).buffer as unknown as object);
      if (version.utf8BinaryHeaders) {
        expect(await reply).toEqual({ status: 'ok', response: { bytes: [1] } });
        return;
      }
      await waitFor(() => closeCodes.length > 0, { what: 'the server to close the socket' });
      expect(closeCodes[0]).toBe(1007);
    },
  );

  it('reconnects and rejoins after the server restarts on the same port', async () => {
    let restarted = await startLongPollTestServer();
    try {
      const socket = create('survivor', restarted.socketUrl);
      const closeCodes: number[] = [];
      socket.onClose((event: { code: number }) => {
        closeCodes.push(event.code);
      });
      await new Promise<void>((resolve) => {
        socket.onOpen(() => resolve());
        socket.connect();
      });
      const channel = socket.channel('room:versions-restart', { track: 'survivor' });
      const view = presenceOf(channel);
      await join(channel);
      await waitFor(() => view.syncs > 0, { what: 'the first sync' });
      const [oldRef] = refsOf(view.entries(), 'survivor');
      const joinRef = (channel as unknown as { joinRef(): string }).joinRef();

      await restarted.close();
      restarted = await startLongPollTestServer({ port: restarted.port });
      await rejoined(channel as Parameters<typeof rejoined>[0], joinRef);
      await waitFor(() => {
        expect(refsOf(view.entries(), 'survivor')).not.toEqual([oldRef]);
      });
      await sleep(QUIET_WINDOW_MS);

      expect(closeCodes[0]).toBe(1012);
      expect(Object.keys(view.entries())).toEqual(['survivor']);
      expect(await pushed(channel, 'echo', { on: 'new server' })).toEqual({
        status: 'ok',
        response: { on: 'new server' },
      });
    } finally {
      await Promise.all([...sockets].map(disconnect));
      await restarted.close();
    }
  });
});
