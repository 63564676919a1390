import { createHmac } from 'node:crypto';
import { type IceServerPayload, parseIceServers, Topic } from '@starcatch/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { clientIceServers, describeClientIce, turnCredential } from '../../src/rtc/client-ice-servers.ts';
import { ClientSockets, join } from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const SECRET = 'north-star';

describe('TURN credentials (coturn shared-secret scheme)', () => {
  it('username is <expiry>:<userId>, credential base64(HMAC-SHA1(secret, username))', () => {
    // The credential as `openssl dgst -sha1 -hmac north-star -binary | base64` gives it.
    expect(turnCredential(SECRET, 'u1', 3600, 1_700_000_000_000)).toEqual({
      username: '1700003600:u1',
      credential: '7azIyJIzcukKJftIUMFF/V39Mww=',
      expiresAt: 1_700_003_600,
    });
  });

  it('the join reply lists the plain servers, then the TURN URLs with this user’s credentials', () => {
    const settings = {
      servers: [{ urls: 'stun:stun.example.org:3478' }],
      turn: { secret: SECRET, urls: ['turn:turn.example.org:3478', 'turns:turn.example.org:5349'], ttlSeconds: 600 },
    };
    expect(clientIceServers(settings, 'u1', 1_700_000_000_000)).toEqual([
      { urls: 'stun:stun.example.org:3478' },
      {
        urls: ['turn:turn.example.org:3478', 'turns:turn.example.org:5349'],
        ...turnCredential(SECRET, 'u1', 600, 1_700_000_000_000),
        expiresAt: undefined,
      },
    ]);
    expect(clientIceServers({ servers: [], turn: undefined }, 'u1')).toEqual([]);
    expect(describeClientIce(settings)).not.toContain(SECRET);
  });
});

describe('TURN and client ICE configuration', () => {
  it('reads TURN_SECRET, TURN_URLS, TURN_TTL_SECONDS and CLIENT_ICE_SERVERS', () => {
    const config = loadConfig({
      TURN_SECRET: SECRET,
      TURN_URLS: 'turn:127.0.0.1:3478?transport=udp, turns:turn.example.org:5349',
      CLIENT_ICE_SERVERS: '[{"urls":"stun:stun.example.org:3478"}]',
    });
    expect(config.clientIce).toEqual({
      servers: [{ urls: 'stun:stun.example.org:3478' }],
      turn: {
        secret: SECRET,
        urls: ['turn:127.0.0.1:3478?transport=udp', 'turns:turn.example.org:5349'],
        ttlSeconds: 86_400,
      },
    });
    expect(
      loadConfig({ TURN_SECRET: SECRET, TURN_URLS: 'turn:t.example.org', TURN_TTL_SECONDS: '300' }).clientIce.turn,
    ).toMatchObject({ ttlSeconds: 300 });
  });

  it.each([
    [{ TURN_SECRET: SECRET }, 'TURN_URLS: set both TURN_SECRET and TURN_URLS'],
    [{ TURN_URLS: 'turn:t.example.org' }, 'TURN_SECRET: set both TURN_SECRET and TURN_URLS'],
    [{ TURN_SECRET: SECRET, TURN_URLS: 'stun:t.example.org' }, 'TURN_URLS.0: must be a turn: or turns: URL'],
    [{ TURN_SECRET: SECRET, TURN_URLS: 'turn:t.example.org', TURN_TTL_SECONDS: '10' }, 'TURN_TTL_SECONDS'],
    [
      { CLIENT_ICE_SERVERS: '[{"urls":"turn:t.example.org","username":"u","credential":"p"}]' },
      'CLIENT_ICE_SERVERS.0: is sent to every browser: put no username or credential in it',
    ],
    [{ CLIENT_ICE_SERVERS: 'stun:x' }, 'CLIENT_ICE_SERVERS: must be a JSON array'],
  ])('refuses %j', (env, problem) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(problem);
  });
});

describe('the user:<id> join reply', () => {
  let server: TestServer;
  const sockets = new ClientSockets();

  beforeAll(async () => {
    server = await startTestServer({
      TURN_SECRET: SECRET,
      TURN_URLS: 'turn:127.0.0.1:3478',
      TURN_TTL_SECONDS: '600',
      CLIENT_ICE_SERVERS: '[{"urls":["stun:127.0.0.1:3478"]}]',
    });
  });
  afterEach(() => sockets.disconnectAll());
  afterAll(() => server.close());

  async function joinReply(): Promise<{ userId: string; servers: IceServerPayload[]; raw: unknown }> {
    const { token, user } = await server.signIn();
    const socket = await sockets.open(server.socketUrl, { params: { token } });
    const raw = await join(socket.channel(Topic.user(user.id)));
    return { userId: user.id, servers: parseIceServers(raw), raw };
  }

  it('names the ICE servers, with TURN credentials made for this user that coturn can check', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { userId, servers, raw } = await joinReply();

    expect(parseIceServers(raw)).toEqual((raw as { ice_servers: unknown }).ice_servers);
    expect(servers).toHaveLength(2);
    expect(servers[0]).toEqual({ urls: ['stun:127.0.0.1:3478'] });
    const turn = servers[1];
    expect(turn?.urls).toEqual(['turn:127.0.0.1:3478']);
    const [expiry, name] = (turn?.username ?? '').split(':');
    expect(name).toBe(userId);
    expect(Number(expiry) - before).toBeGreaterThanOrEqual(600);
    expect(Number(expiry) - before).toBeLessThanOrEqual(602);
    expect(turn?.credential).toBe(
      createHmac('sha1', SECRET)
        .update(turn?.username ?? '')
        .digest('base64'),
    );
    expect(JSON.stringify(raw)).not.toContain(SECRET);
  });

  it('every rejoin (after the socket dropped) brings fresh credentials to the same join hook', async () => {
    const { token, user } = await server.signIn();
    const socket = await sockets.open(server.socketUrl, { params: { token } });
    const replies: IceServerPayload[][] = [];
    // As the client listens: one `ok` hook on the join, which phoenix.js runs again on each rejoin.
    socket
      .channel(Topic.user(user.id))
      .join()
      .receive('ok', (reply: unknown) => replies.push(parseIceServers(reply)));
    await waitFor(() => replies.length === 1, { what: 'the join reply' });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // The connection drops (not a `disconnect()`): phoenix.js reconnects and rejoins by itself.
    (socket.conn as unknown as WebSocket | null)?.close();
    await waitFor(() => replies.length === 2, { what: 'the rejoin reply' });

    const [first, again] = replies.map((servers) => servers[1]);
    expect(Number(again?.username?.split(':')[0])).toBeGreaterThan(Number(first?.username?.split(':')[0]));
    expect(again?.credential).not.toBe(first?.credential);
  });

  it('is an empty list on a server with no ICE servers configured', async () => {
    const plain = await startTestServer();
    try {
      const { token, user } = await plain.signIn();
      const socket = await sockets.open(plain.socketUrl, { params: { token } });
      expect(await join(socket.channel(Topic.user(user.id)))).toEqual({ ice_servers: [] });
    } finally {
      await sockets.disconnectAll();
      await plain.close();
    }
  });
});
