import { createServer, type Server } from 'node:net';
import { LongPoll } from 'phoenix';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LongPollTestServer, startLongPollTestServer } from '../support/longpoll-test-server.ts';
import { terminations, VALID_TOKEN } from '../support/protocol-test-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { joinLobby, metaCounts, refsOf } from './lobby-presence.ts';
import {
  ClientSockets,
  join,
  Presence,
  push,
  recordEvents,
  recordSyncs,
  rejoined,
  type Socket,
  type SocketOptions,
  watchSocket,
} from './phoenix-client.ts';
import { QUIET_WINDOW_MS, sleep, waitFor } from './wait-for.ts';

// The official client (phoenix.js 1.8) with `transport: LongPoll`, unchanged, against the server's
// LongPoll transport: everything the WebSocket interop tests check, over HTTP long polling.

const clients = new ClientSockets();
afterEach(() => clients.disconnectAll());

/**
 * Closes the game server. fetch (undici) may leave a connection it opened for an aborted poll and
 * never used; Node counts it as busy, so `close` would wait for the server's headers timeout.
 */
async function closeApp(app: TestServer): Promise<void> {
  const force = setTimeout(() => app.app.http.server.closeAllConnections(), 500);
  await app.close();
  clearTimeout(force);
}

/** Short windows so the poll loop turns over several times per test. */
const WINDOW_MS = 200;
const IDLE_TIMEOUT_MS = 600;

const overLongPoll = (options: SocketOptions = {}): SocketOptions => ({ transport: LongPoll, ...options });

function isLongPoll(socket: Socket): boolean {
  return socket.conn instanceof LongPoll;
}

describe('phoenix.js LongPoll against the protocol test server', () => {
  let server: LongPollTestServer;
  beforeAll(async () => {
    server = await startLongPollTestServer({ windowMs: WINDOW_MS, idleTimeoutMs: IDLE_TIMEOUT_MS });
  });
  afterAll(() => server.close());

  const open = (user: string, options: SocketOptions = {}) =>
    clients.open(server.socketUrl, overLongPoll({ params: { token: VALID_TOKEN, user }, ...options }));

  it('joins, pushes and gets replies, errors and server pushes', async () => {
    const socket = await open('pusher');
    expect(isLongPoll(socket)).toBe(true);
    const channel = socket.channel('room:lp-push', { reply: { welcome: true } });
    expect(await join(channel)).toEqual({ welcome: true });
    expect(await push(channel, 'echo', { n: 1, text: 'é ✓' })).toEqual({
      status: 'ok',
      response: { n: 1, text: 'é ✓' },
    });
    expect(await push(channel, 'error', {})).toEqual({ status: 'error', response: { reason: 'asked for an error' } });
    const pushed = recordEvents(channel, 'nudge');
    channel.push('push', { event: 'nudge', payload: { to: 'you' } });
    await waitFor(() => pushed.length === 1, { what: 'the server push' });
    expect(pushed).toEqual([{ to: 'you' }]);
  });

  it('sends pushes made back to back in one batch, and answers them in order', async () => {
    const socket = await open('batcher');
    const channel = socket.channel('room:lp-batch');
    await join(channel);
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => push(channel, 'echo', { i })));
    expect(replies.map((reply) => (reply.response as { i: number }).i)).toEqual(
      Array.from({ length: 30 }, (_, i) => i),
    );
  });

  it('delivers broadcasts between a LongPoll client and a WebSocket client, both ways', async () => {
    const polling = await open('poller');
    const websocket = await clients.open(server.socketUrl, { params: { token: VALID_TOKEN, user: 'ws' } });
    expect(isLongPoll(websocket)).toBe(false);
    const onPoll = polling.channel('room:lp-mixed');
    const onWs = websocket.channel('room:lp-mixed');
    await Promise.all([join(onPoll), join(onWs)]);
    const seenByPoll = recordEvents(onPoll, 'said');
    const seenByWs = recordEvents(onWs, 'said');
    await push(onWs, 'broadcast', { event: 'said', payload: { by: 'ws' } });
    await push(onPoll, 'broadcast', { event: 'said', payload: { by: 'poll' } });
    await waitFor(() => seenByPoll.length === 2 && seenByWs.length === 2, { what: 'both broadcasts on both sockets' });
    expect(seenByPoll).toEqual([{ by: 'ws' }, { by: 'poll' }]);
    expect(seenByWs).toEqual([{ by: 'ws' }, { by: 'poll' }]);
  });

  it('keeps Presence in sync over LongPoll and drops the meta when the client disconnects', async () => {
    const watcher = await clients.open(server.socketUrl, { params: { token: VALID_TOKEN, user: 'watcher' } });
    const watcherChannel = watcher.channel('room:lp-presence', { track: 'watcher' });
    const watcherSyncs = recordSyncs(new Presence(watcherChannel));
    await join(watcherChannel);

    const polling = await open('poller');
    const channel = polling.channel('room:lp-presence', { track: 'poller' });
    const syncs = recordSyncs(new Presence(channel));
    await join(channel);
    await waitFor(() => {
      expect(metaCounts(syncs.at(-1))).toEqual({ watcher: 1, poller: 1 });
    });
    await waitFor(() => {
      expect(metaCounts(watcherSyncs.at(-1))).toEqual({ watcher: 1, poller: 1 });
    });

    // phoenix.js aborts its poll on disconnect: the server ends the session within the grace period.
    await clients.disconnect(polling);
    await waitFor(
      () => {
        expect(metaCounts(watcherSyncs.at(-1))).toEqual({ watcher: 1 });
      },
      { timeoutMs: 4_000 },
    );
  });

  it('answers socket.ping (phoenix.js sends no heartbeats over LongPoll) and keeps the session across windows', async () => {
    const socket = await open('pinger');
    const seen = watchSocket(socket);
    const channel = socket.channel('room:lp-alive');
    await join(channel);
    const rtt = await new Promise<number>((resolve) => socket.ping(resolve));
    expect(rtt).toBeLessThan(1_000);
    // Several windows and idle timeouts long: the poll loop alone keeps the session.
    await sleep(4 * IDLE_TIMEOUT_MS);
    expect(seen).toEqual({ opens: 0, closeCodes: [], errors: 0 });
    expect(channel.state).toBe('joined');
    expect(await push(channel, 'echo', { still: 'here' })).toEqual({ status: 'ok', response: { still: 'here' } });
  });

  it('reconnects after a kick (close 3410, session gone) and rejoins under a new join_ref', async () => {
    const socket = await open('kicked');
    const seen = watchSocket(socket);
    const channel = socket.channel('room:lp-kick');
    await join(channel);
    const joinRef = channel.joinRef();

    expect(server.socket.disconnect('user_socket:kicked')).toBe(1);
    await rejoined(channel, joinRef);

    expect(seen.closeCodes).toEqual([3410]);
    expect(seen.opens).toBe(1);
    expect(isLongPoll(socket)).toBe(true);
    expect(await push(channel, 'echo', { after: 'kick' })).toEqual({ status: 'ok', response: { after: 'kick' } });
    expect(terminations.filter((entry) => entry.topic === 'room:lp-kick').map((entry) => entry.reason)).toEqual([
      'kicked',
    ]);
  });
});

describe('phoenix.js LongPoll across a server restart', () => {
  it('reconnects to the new server on the same port, rejoins and gets a fresh presence state', async () => {
    let server = await startLongPollTestServer({ windowMs: WINDOW_MS, idleTimeoutMs: IDLE_TIMEOUT_MS });
    try {
      const socket = await clients.open(
        server.socketUrl,
        overLongPoll({ params: { token: VALID_TOKEN, user: 'survivor' } }),
      );
      const seen = watchSocket(socket);
      const channel = socket.channel('room:lp-restart', { track: 'survivor' });
      const syncs = recordSyncs(new Presence(channel));
      await join(channel);
      await waitFor(() => syncs.length > 0, { what: 'the first sync' });
      const [oldRef] = refsOf(syncs.at(-1), 'survivor');
      const joinRef = channel.joinRef();

      await server.close();
      server = await startLongPollTestServer({
        port: server.port,
        windowMs: WINDOW_MS,
        idleTimeoutMs: IDLE_TIMEOUT_MS,
      });
      await rejoined(channel, joinRef);
      await waitFor(
        () => {
          expect(refsOf(syncs.at(-1), 'survivor')).not.toEqual([oldRef]);
        },
        { what: 'a new meta' },
      );
      await sleep(QUIET_WINDOW_MS);

      // 3410 from the drain's 410, then 1011 for each attempt made while nothing listened.
      expect(seen.closeCodes[0]).toBe(3410);
      expect(new Set(seen.closeCodes.slice(1))).toEqual(new Set(seen.closeCodes.length > 1 ? [1011] : []));
      expect(seen.opens).toBe(1);
      expect(metaCounts(syncs.at(-1))).toEqual({ survivor: 1 });
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

describe('longPollFallbackMs: a blocked WebSocket falls back to LongPoll', () => {
  let server: LongPollTestServer;
  /** Accepts TCP connections and never answers: a WebSocket that hangs, as behind some proxies. */
  let blackHole: Server;
  let blackHolePort = 0;
  beforeAll(async () => {
    server = await startLongPollTestServer({ windowMs: WINDOW_MS, idleTimeoutMs: IDLE_TIMEOUT_MS });
    blackHole = createServer(() => {});
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    blackHolePort = (blackHole.address() as { port: number }).port;
  });
  afterAll(async () => {
    await server.close();
    blackHole.close();
  });

  /** A WebSocket whose connection is refused at once (the upgrade refused by a firewall or proxy). */
  class RefusedWebSocket extends WebSocket {
    constructor(_url: string | URL, protocols?: string | string[]) {
      super('ws://127.0.0.1:1/socket/websocket', protocols);
    }
  }
  /** A WebSocket that never opens nor fails. */
  const hangingWebSocket = () =>
    class HangingWebSocket extends WebSocket {
      constructor(_url: string | URL, protocols?: string | string[]) {
        super(`ws://127.0.0.1:${blackHolePort}/socket/websocket`, protocols);
      }
    };

  it('falls back at once when the WebSocket fails, then joins and pushes over LongPoll', async () => {
    const socket = await new Promise<Socket>((resolve) => {
      const created = clients.create(server.socketUrl, {
        transport: RefusedWebSocket,
        longPollFallbackMs: 2_500,
        params: { token: VALID_TOKEN, user: 'refused' },
      });
      created.onOpen(() => resolve(created));
      created.connect();
    });
    expect(isLongPoll(socket)).toBe(true);
    const channel = socket.channel('room:lp-fallback');
    await join(channel);
    expect(await push(channel, 'echo', { via: 'fallback' })).toEqual({ status: 'ok', response: { via: 'fallback' } });
  });

  it('falls back after longPollFallbackMs when the WebSocket hangs', async () => {
    const started = performance.now();
    const socket = await new Promise<Socket>((resolve) => {
      const created = clients.create(server.socketUrl, {
        transport: hangingWebSocket(),
        longPollFallbackMs: 300,
        params: { token: VALID_TOKEN, user: 'hanging' },
      });
      created.onOpen(() => resolve(created));
      created.connect();
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(isLongPoll(socket)).toBe(true);
    const channel = socket.channel('room:lp-hang');
    await join(channel);
    expect(await push(channel, 'echo', { via: 'timeout' })).toEqual({ status: 'ok', response: { via: 'timeout' } });
  });
});

describe('phoenix.js LongPoll against the game server', () => {
  let app: TestServer;
  beforeAll(async () => {
    app = await startTestServer({ SOCKET_LONGPOLL_WINDOW_MS: String(WINDOW_MS) });
  });
  afterAll(() => closeApp(app));

  it('authenticates with authToken (the X-Phoenix-AuthToken header) and shares the lobby with WebSocket users', async () => {
    const alice = await app.signIn('alice');
    const bob = await app.signIn('bob');
    // The game client's way: `authToken`, never the `token` param.
    const aliceSocket = await clients.open(app.socketUrl, overLongPoll({ authToken: alice.token }));
    const bobSocket = await clients.open(app.socketUrl, { authToken: bob.token });
    expect(isLongPoll(aliceSocket)).toBe(true);
    const aliceView = await joinLobby(aliceSocket);
    const bobView = await joinLobby(bobSocket);
    const everyone = { [alice.user.id]: 1, [bob.user.id]: 1 };
    await waitFor(() => {
      expect(metaCounts(aliceView.syncs.at(-1))).toEqual(everyone);
    });
    await waitFor(() => {
      expect(metaCounts(bobView.syncs.at(-1))).toEqual(everyone);
    });

    const chatSeenByBob = recordEvents(bobView.channel, 'chat:message');
    const sent = await push(aliceView.channel, 'chat:send', { body: 'hello from longpoll' });
    expect(sent.status).toBe('ok');
    await waitFor(() => chatSeenByBob.length === 1, { what: 'bob to see the chat' });
    expect(chatSeenByBob[0]).toMatchObject({ body: 'hello from longpoll', user_id: alice.user.id });

    await clients.disconnect(aliceSocket);
    await waitFor(
      () => {
        expect(metaCounts(bobView.syncs.at(-1))).toEqual({ [bob.user.id]: 1 });
      },
      { timeoutMs: 4_000 },
    );
  });
});
