import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ProtocolTestServer, startProtocolTestServer, VALID_TOKEN } from '../support/protocol-test-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { joinLobby, metaCounts } from './lobby-presence.ts';
import {
  ClientSockets,
  join,
  push,
  recordEvents,
  type Socket,
  type SocketEvents,
  type SocketOptions,
  watchSocket,
} from './phoenix-client.ts';
import { QUIET_WINDOW_MS, sleep, waitFor } from './wait-for.ts';

const clients = new ClientSockets();
afterEach(() => clients.disconnectAll());

/** A socket that is expected never to open, connected and watched while it retries. */
function connectRefused(endpoint: string, options: SocketOptions): { socket: Socket; seen: SocketEvents } {
  const socket = clients.create(endpoint, options);
  const seen = watchSocket(socket);
  socket.connect();
  return { socket, seen };
}

describe('phoenix.js authToken against the protocol test socket', () => {
  let server: ProtocolTestServer;
  beforeAll(async () => {
    server = await startProtocolTestServer();
  });
  afterAll(() => server.close());

  it('connects with the token in the subprotocol, the server selecting "phoenix"', async () => {
    const socket = await clients.open(server.socketUrl, { authToken: VALID_TOKEN, params: { user: 'bearer' } });
    expect(socket.conn?.protocol).toBe('phoenix');

    const channel = socket.channel('room:bearer');
    await join(channel);
    // The intercepted broadcast comes back stamped with the user the socket was accepted as.
    const stamped = recordEvents(channel, 'intercepted');
    expect(await push(channel, 'broadcast', { event: 'intercepted', payload: { x: 1 } })).toEqual({
      status: 'ok',
      response: {},
    });
    await waitFor(() => stamped.length === 1, { what: 'the intercepted broadcast' });
    expect(stamped).toEqual([{ x: 1, for: 'bearer' }]);
  });

  it('is refused before the upgrade with an invalid token: onError fires, onOpen never', async () => {
    const refused = connectRefused(server.socketUrl, { authToken: 'not-the-token', params: { user: 'intruder' } });

    // The client keeps retrying on its backoff; every attempt is refused at the handshake.
    await waitFor(() => refused.seen.errors >= 3, { what: 'three refused attempts' });
    expect(refused.seen.opens).toBe(0);
    expect(refused.socket.isConnected()).toBe(false);
  });

  it('prefers the subprotocol token over a valid token param', async () => {
    const refused = connectRefused(server.socketUrl, {
      authToken: 'not-the-token',
      params: { token: VALID_TOKEN, user: 'both' },
    });

    await waitFor(() => refused.seen.errors >= 1, { what: 'a refused attempt' });
    await sleep(QUIET_WINDOW_MS);
    expect(refused.seen.opens).toBe(0);
  });
});

describe('phoenix.js authToken against the game server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('accepts a session token sent as authToken and joins the lobby as that user', async () => {
    const dana = await server.signIn('dana');
    // phoenix.js sends `btoa(token)` as a subprotocol, where "/" is not allowed. For ASCII text, btoa
    // only yields "/" from a "?" or DEL at an index ≡ 2 (mod 3); base64url tokens hold neither.
    expect(btoa(dana.token)).not.toContain('/');
    const socket = await clients.open(server.socketUrl, { authToken: dana.token });
    expect(socket.conn?.protocol).toBe('phoenix');

    const lobby = await joinLobby(socket);
    await waitFor(() => {
      expect(metaCounts(lobby.syncs.at(-1))).toEqual({ [dana.user.id]: 1 });
    });
    expect(lobby.syncs.at(-1)?.[dana.user.id]?.[0]).toMatchObject({ nickname: 'dana', color: dana.user.color });
  });

  it('refuses a forged session token before the upgrade', async () => {
    const refused = connectRefused(server.socketUrl, { authToken: 'eyJmb3JnZWQiOnRydWV9.bm90LWEtbWFj' });

    await waitFor(() => refused.seen.errors >= 2, { what: 'two refused attempts' });
    expect(refused.seen.opens).toBe(0);
  });

  it('cannot carry a token whose base64 holds "/": phoenix.js throws from connect()', () => {
    // btoa("???") is "Pz8/". Browsers and Node's WebSocket reject such a subprotocol synchronously,
    // so the error surfaces as an exception from connect(), not through onError.
    const socket = clients.create(server.socketUrl, { authToken: '???' });
    // A DOMException named SyntaxError, not the JavaScript SyntaxError class.
    expect(() => socket.connect()).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(socket.isConnected()).toBe(false);
  });
});
