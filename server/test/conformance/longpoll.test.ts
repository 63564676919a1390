import { ABORTED_POLL_GRACE_MS, LocalPubSub } from '@starcatch/phoenix';
import { afterEach, describe, expect, test } from 'vitest';
import { waitFor } from '../integration/wait-for.ts';
import {
  type LongPollServerOptions,
  type LongPollTestServer,
  RawLongPoll,
  startLongPollTestServer,
} from '../support/longpoll-test-server.ts';
import { terminations, VALID_TOKEN } from '../support/protocol-test-server.ts';
import { startTestServer } from '../support/test-server.ts';
import { broadcast, heartbeat, heartbeatReply, join, ok, presenceDiff, push, v1, v1Reply } from './frames.ts';

// The LongPoll transport (`/socket/longpoll`), driven with raw HTTP requests: what phoenix.js's
// `LongPoll` sends and expects, and what Phoenix's `Phoenix.Transports.LongPoll` answers.

/** Short enough that a test waits a fraction of a second for a 204 or an expiry. */
const WINDOW_MS = 300;
const IDLE_TIMEOUT_MS = 400;

const servers: LongPollTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  terminations.length = 0;
});

async function start(options: LongPollServerOptions = {}): Promise<LongPollTestServer> {
  const server = await startLongPollTestServer({ windowMs: WINDOW_MS, idleTimeoutMs: IDLE_TIMEOUT_MS, ...options });
  servers.push(server);
  return server;
}

/** A client of `server` with the valid token as the `token` param, vsn 2.0.0 unless overridden. */
function client(server: LongPollTestServer, query: Record<string, string> = {}, headers: Record<string, string> = {}) {
  return new RawLongPoll(server.longPollUrl, { token: VALID_TOKEN, vsn: '2.0.0', ...query }, headers);
}

/** An open session that joined `topic` (join_ref = ref = "1"). */
async function joined(server: LongPollTestServer, topic: string, user = 'lp'): Promise<RawLongPoll> {
  const lp = client(server, { user });
  expect((await lp.open()).status).toBe(410);
  expect((await lp.post([JSON.stringify(join('1', topic))])).body).toEqual({ status: 200 });
  expect(await lp.take(1)).toEqual([ok('1', '1', topic)]);
  return lp;
}

/** `0, len(join_ref), len(ref), len(topic), len(event), join_ref, ref, topic, event, payload`. */
function binaryPush(joinRef: string, ref: string, topic: string, event: string, payload: number[]): Uint8Array {
  const fields = [joinRef, ref, topic, event].map((field) => Buffer.from(field));
  return Uint8Array.from([
    0,
    ...fields.map((field) => field.length),
    ...fields.flatMap((field) => [...field]),
    ...payload,
  ]);
}

describe('sessions', () => {
  test('case LP1: a GET without a session token opens one: HTTP 200, {status: 410, token, messages: []}', async () => {
    const server = await start();
    const response = await client(server).get();
    expect(response.httpStatus).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.body).toEqual({ status: 410, token: expect.any(String), messages: [] });
    expect(server.socket.connectionCount).toBe(1);
  });

  test('case LP2: the token round-trips: POST ?token= delivers frames, GET ?token= returns the replies with the same token', async () => {
    const server = await start();
    const lp = client(server);
    await lp.open();
    const token = lp.token;
    const posted = await lp.post([
      JSON.stringify(join('1', 'room:lp2')),
      JSON.stringify(push('1', '2', 'room:lp2', 'echo', { n: 1 })),
    ]);
    expect(posted).toMatchObject({ httpStatus: 200, body: { status: 200 } });
    const polled = await lp.get();
    expect(polled.body).toEqual({
      status: 200,
      token,
      messages: [JSON.stringify(ok('1', '1', 'room:lp2')), JSON.stringify(ok('1', '2', 'room:lp2', { n: 1 }))],
    });
    expect(server.socket.connectionCount).toBe(1);
  });

  test('case LP2: the session token is also accepted in X-Phoenix-LongPoll-Token (newer clients)', async () => {
    const server = await start();
    const lp = client(server);
    await lp.open();
    const viaHeader = new RawLongPoll(
      server.longPollUrl,
      { vsn: '2.0.0' },
      { 'x-phoenix-longpoll-token': lp.token ?? '' },
    );
    expect((await viaHeader.post([JSON.stringify(heartbeat('7'))])).body).toEqual({ status: 200 });
    expect(await viaHeader.take(1)).toEqual([heartbeatReply('7')]);
    expect(server.socket.connectionCount).toBe(1);
  });

  test('case LP3: a poll with nothing to send is answered {status: 204, token, messages: []} after the window', async () => {
    const server = await start();
    const lp = client(server);
    await lp.open();
    const started = performance.now();
    const { body } = await lp.get();
    const waited = performance.now() - started;
    expect(body).toEqual({ status: 204, token: lp.token, messages: [] });
    expect(waited).toBeGreaterThanOrEqual(WINDOW_MS - 20);
    expect(waited).toBeLessThan(WINDOW_MS + 250);
  });

  test('case LP4: a waiting poll is answered as soon as a broadcast arrives, with everything sent in that turn', async () => {
    const server = await start({ windowMs: 5_000 });
    const listener = await joined(server, 'room:lp4', 'listener');
    const sender = await joined(server, 'room:lp4', 'sender');
    const poll = listener.get();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await sender.post([JSON.stringify(push('1', '2', 'room:lp4', 'broadcast', { event: 'hello', payload: { n: 1 } }))]);
    const { body } = await poll;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(body.status).toBe(200);
    expect(body.messages?.map((message) => JSON.parse(message))).toEqual([broadcast('room:lp4', 'hello', { n: 1 })]);
  });

  test('case LP5: a refused connect is {status: 403} with no token and no session (bad token, bad vsn, bad origin)', async () => {
    const server = await start({ checkOrigin: ['https://starcatch.example'] });
    const refused: Record<string, string>[] = [{ token: 'wrong' }, { vsn: '3.0.0' }, { vsn: '2.1.0' }];
    for (const query of refused) {
      const response = await client(server, query).get();
      expect(response.httpStatus, JSON.stringify(query)).toBe(200);
      expect(response.body, JSON.stringify(query)).toEqual({ status: 403 });
    }
    const foreign = client(server, {}, { origin: 'https://evil.example' });
    expect((await foreign.get()).body).toEqual({ status: 403 });
    expect((await client(server, {}, { origin: 'https://starcatch.example' }).get()).body.status).toBe(410);
    expect(server.socket.connectionCount).toBe(1);
  });

  test('case LP5: the origin is checked on every request, not only the first', async () => {
    const server = await start({ checkOrigin: ['https://starcatch.example'] });
    const lp = client(server, {}, { origin: 'https://starcatch.example' });
    await lp.open();
    const stolen = new RawLongPoll(server.longPollUrl, { token: lp.token ?? '' }, { origin: 'https://evil.example' });
    expect((await stolen.post([JSON.stringify(heartbeat('1'))])).body).toEqual({ status: 403 });
    expect((await stolen.get()).body).toEqual({ status: 403 });
  });

  test('case LP6: phoenix.js 1.8 sends authToken as X-Phoenix-AuthToken; connect sees it as authToken', async () => {
    const server = await start();
    const lp = new RawLongPoll(server.longPollUrl, { vsn: '2.0.0' }, { 'x-phoenix-authtoken': VALID_TOKEN });
    expect((await lp.open()).status).toBe(410);
    const wrong = new RawLongPoll(server.longPollUrl, { vsn: '2.0.0' }, { 'x-phoenix-authtoken': 'nope' });
    expect((await wrong.get()).body).toEqual({ status: 403 });
  });

  test('case LP6: a GET naming a session that does not exist is {status: 410} without a token, and opens none', async () => {
    const server = await start();
    const first = client(server);
    await first.open();
    const unknown = client(server);
    unknown.token = `${first.token?.slice(0, -4)}AAAA`;
    expect((await unknown.get()).body).toEqual({ status: 410 });
    expect(server.socket.connectionCount).toBe(1);
  });
});

describe('expiry and server-side ends', () => {
  test('case LP7: a session nobody polls expires: POST and GET answer {status: 410}, channels terminate', async () => {
    const server = await start();
    const lp = await joined(server, 'room:lp7');
    const oldToken = lp.token;
    await new Promise((resolve) => setTimeout(resolve, IDLE_TIMEOUT_MS + 200));
    expect(server.socket.connectionCount).toBe(0);
    expect(terminations).toEqual([{ topic: 'room:lp7', reason: 'closed' }]);
    expect((await lp.post([JSON.stringify(heartbeat('9'))])).body).toEqual({ status: 410 });
    expect((await lp.get()).body).toEqual({ status: 410 });
    // The client starts over without a token: a new session.
    lp.token = undefined;
    const { body } = await lp.get();
    expect(body).toEqual({ status: 410, token: expect.any(String), messages: [] });
    expect(body.token).not.toBe(oldToken);
  });

  test('case LP7: a client in its poll loop keeps the session across many windows', async () => {
    const server = await start({ windowMs: 100, idleTimeoutMs: 150 });
    const lp = await joined(server, 'room:lp7-alive');
    for (let i = 0; i < 8; i++) expect((await lp.get()).body.status).toBe(204);
    expect(server.socket.connectionCount).toBe(1);
    expect(terminations).toEqual([]);
  });

  test('case LP8: a kick ends the session: the waiting poll is answered {status: 410} at once', async () => {
    const server = await start({ windowMs: 5_000 });
    const lp = await joined(server, 'room:lp8', 'kicked');
    const poll = lp.get();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    expect(server.socket.disconnect('user_socket:kicked')).toBe(1);
    const response = await poll;
    expect(performance.now() - started).toBeLessThan(500);
    expect(response.body).toEqual({ status: 410 });
    expect(response.headers.get('connection')).toBe('close');
    expect((await lp.post([JSON.stringify(heartbeat('2'))])).body).toEqual({ status: 410 });
  });

  test('case LP8: closing the server drains sessions: waiting polls are answered {status: 410} with Connection: close', async () => {
    const server = await startLongPollTestServer({ windowMs: 10_000 });
    const lp = client(server);
    await lp.open();
    const poll = lp.get();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await server.close();
    const response = await poll;
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(response.body).toEqual({ status: 410 });
    expect(response.headers.get('connection')).toBe('close');
  });

  test('case LP8: a newer poll supersedes a waiting one, which is answered 204; messages go to the newer', async () => {
    const server = await start({ windowMs: 5_000 });
    const lp = await joined(server, 'room:lp8-twice');
    const first = lp.get();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = lp.get();
    expect((await first).body).toEqual({ status: 204, token: lp.token, messages: [] });
    await lp.post([JSON.stringify(heartbeat('5'))]);
    expect((await second).body.messages).toEqual([JSON.stringify(heartbeatReply('5'))]);
  });

  test('case LP8: a poll whose client went away leaves its messages for the next poll', async () => {
    const server = await start({ windowMs: 5_000 });
    const lp = await joined(server, 'room:lp8-abort');
    const abort = new AbortController();
    const gone = lp.get({ signal: abort.signal }).catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 50));
    abort.abort();
    expect(await gone).toBe('aborted');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await lp.post([JSON.stringify(heartbeat('6'))]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await lp.get()).body.messages).toEqual([JSON.stringify(heartbeatReply('6'))]);
  });

  test('case LP8: a session whose poll was cut and that nobody polls again ends after ABORTED_POLL_GRACE_MS', async () => {
    const server = await start({ windowMs: 5_000, idleTimeoutMs: 60_000 });
    const lp = await joined(server, 'room:lp8-gone');
    const abort = new AbortController();
    const gone = lp.get({ signal: abort.signal }).catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 50));
    abort.abort();
    await gone;
    const cutAt = performance.now();
    await waitFor(() => server.socket.connectionCount === 0, { timeoutMs: ABORTED_POLL_GRACE_MS + 1_000 });
    expect(performance.now() - cutAt).toBeGreaterThanOrEqual(ABORTED_POLL_GRACE_MS - 50);
    expect(terminations).toEqual([{ topic: 'room:lp8-gone', reason: 'closed' }]);
  });
});

describe('frames', () => {
  test('case LP9: heartbeats are answered over LongPoll like over the WebSocket', async () => {
    const server = await start();
    const lp = client(server);
    await lp.open();
    await lp.post([JSON.stringify(heartbeat('1'))]);
    expect(await lp.take(1)).toEqual([heartbeatReply('1')]);
  });

  test('case LP9: V1 (no vsn): one object frame per POST as application/json, object frames back', async () => {
    const server = await start();
    const lp = new RawLongPoll(server.longPollUrl, { token: VALID_TOKEN });
    expect((await lp.open()).status).toBe(410);
    const sent = await lp.postRaw(JSON.stringify(v1('room:v1', 'phx_join', {}, '1')), 'application/json');
    expect(sent.body).toEqual({ status: 200 });
    await lp.postRaw(JSON.stringify(v1('room:v1', 'echo', { hi: 1 }, '2')), 'application/json');
    expect(await lp.take(2)).toEqual([v1Reply('1', 'room:v1', 'ok'), v1Reply('2', 'room:v1', 'ok', { hi: 1 })]);
  });

  test('case LP10: a binary push arrives as a base64 ndjson line; channels see supportsBinary false', async () => {
    const server = await start();
    const lp = client(server);
    await lp.open();
    await lp.post([JSON.stringify(join('1', 'probe:bin'))]);
    expect(await lp.take(1)).toEqual([ok('1', '1', 'probe:bin', { supports_binary: false })]);
    await lp.post([binaryPush('1', '2', 'probe:bin', 'bytes', [0, 1, 254, 255]), JSON.stringify(heartbeat('3'))]);
    expect(await lp.take(2)).toEqual([ok('1', '2', 'probe:bin', { bytes: [0, 1, 254, 255] }), heartbeatReply('3')]);
  });

  test('case LP10: a binary reply cannot be encoded for LongPoll: the push gets an error reply instead', async () => {
    const server = await start();
    const lp = await joined(server, 'room:lp10');
    await lp.post([binaryPush('1', '2', 'room:lp10', 'binary', [1, 2, 3])]);
    expect(await lp.take(1)).toEqual([
      [
        '1',
        '2',
        'room:lp10',
        'phx_reply',
        { status: 'error', response: { reason: 'reply not encodable for this client' } },
      ],
    ]);
  });

  test('case LP11: a frame over the maximum size answers {status: 413} and ends the session (WebSocket: 1009)', async () => {
    const server = await start({ maxFrameSize: 1024 });
    const lp = await joined(server, 'room:lp11');
    const big = JSON.stringify(push('1', '2', 'room:lp11', 'echo', { blob: 'x'.repeat(2_000) }));
    expect((await lp.post([big])).body).toEqual({ status: 413 });
    expect(server.socket.connectionCount).toBe(0);
    expect((await lp.post([JSON.stringify(heartbeat('3'))])).body).toEqual({ status: 410 });
  });

  test('case LP11: a malformed frame answers {status: 400} and ends the session (WebSocket: 1007)', async () => {
    const server = await start();
    for (const bad of ['[1, "not a frame"', 'not base64!']) {
      const lp = client(server);
      await lp.open();
      expect((await lp.post([bad])).body, bad).toEqual({ status: 400 });
      expect((await lp.post([JSON.stringify(heartbeat('1'))])).body, bad).toEqual({ status: 410 });
    }
    expect(server.socket.connectionCount).toBe(0);
  });

  test('case LP11: frames past the 100th line of a batch are ignored, as Phoenix does', async () => {
    const server = await start();
    const lp = client(server);
    await lp.open();
    const frames = Array.from({ length: 105 }, (_, i) => JSON.stringify(heartbeat(String(i + 1))));
    expect((await lp.post(frames)).body).toEqual({ status: 200 });
    const replies = await lp.take(100);
    expect(replies).toHaveLength(100);
    expect(replies.at(-1)).toEqual(heartbeatReply('100'));
    expect((await lp.get()).body).toEqual({ status: 204, token: lp.token, messages: [] });
  });
});

describe('across the nodes of a cluster', () => {
  const RELAY_TIMEOUT_MS = 200;

  /** Two servers sharing one PubSub, as two nodes of a cluster behind one address. */
  async function twoNodes(relayAcrossNodes = true): Promise<[LongPollTestServer, LongPollTestServer]> {
    const pubsub = new LocalPubSub();
    const options = { pubsub, relayAcrossNodes, relayTimeoutMs: RELAY_TIMEOUT_MS, windowMs: 2_000 };
    return [await start(options), await start(options)];
  }

  /** The same session, reached through another node. */
  function through(server: LongPollTestServer, lp: RawLongPoll): RawLongPoll {
    const other = client(server);
    other.token = lp.token;
    return other;
  }

  test('case LP14: with relayAcrossNodes, requests reaching another node are relayed to the session’s node', async () => {
    const [a, b] = await twoNodes();
    const onA = client(a, { user: 'roamer' });
    expect((await onA.open()).status).toBe(410);
    const onB = through(b, onA);
    expect((await onB.post([JSON.stringify(join('1', 'room:lp14'))])).body).toEqual({ status: 200 });
    expect(await onB.take(1)).toEqual([ok('1', '1', 'room:lp14')]);
    // A poll waiting on B is answered when the session on A has something.
    const waiting = onB.get();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await onA.post([JSON.stringify(push('1', '2', 'room:lp14', 'echo', { via: 'a' }))]);
    expect((await waiting).body).toEqual({
      status: 200,
      token: onA.token,
      messages: [JSON.stringify(ok('1', '2', 'room:lp14', { via: 'a' }))],
    });
    expect([a.socket.connectionCount, b.socket.connectionCount]).toEqual([1, 0]);
  });

  test('case LP14: a kick on the session’s node answers a poll waiting on another node with 410', async () => {
    const [a, b] = await twoNodes();
    const onA = client(a, { user: 'relay-kicked' });
    await onA.open();
    const waiting = through(b, onA).get();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(a.socket.disconnect('user_socket:relay-kicked')).toBe(1);
    expect((await waiting).body).toEqual({ status: 410 });
  });

  test('case LP14: a relayed poll cut by its client leaves the messages for the next poll', async () => {
    const [a, b] = await twoNodes();
    const onA = client(a);
    await onA.open();
    const abort = new AbortController();
    const gone = through(b, onA)
      .get({ signal: abort.signal })
      .catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 50));
    abort.abort();
    expect(await gone).toBe('aborted');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await onA.post([JSON.stringify(heartbeat('4'))]);
    expect(await through(b, onA).take(1)).toEqual([heartbeatReply('4')]);
  });

  test('case LP14: a session of a node that does not answer is {status: 410} after the relay timeout', async () => {
    const [a, b] = await twoNodes();
    const onA = client(a);
    await onA.open();
    await a.close();
    const started = performance.now();
    expect((await through(b, onA).post([JSON.stringify(heartbeat('1'))])).body).toEqual({ status: 410 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(RELAY_TIMEOUT_MS - 20);
  });

  test('case LP14: without relayAcrossNodes, another node’s session is {status: 410} at once', async () => {
    const [a, b] = await twoNodes(false);
    const onA = client(a);
    await onA.open();
    expect((await through(b, onA).get()).body).toEqual({ status: 410 });
    expect((await through(b, onA).post([JSON.stringify(heartbeat('1'))])).body).toEqual({ status: 410 });
  });
});

describe('HTTP surface', () => {
  test('case LP12: OPTIONS is a CORS preflight; PUT, PATCH, DELETE and HEAD are 400', async () => {
    const server = await start();
    const preflight = await fetch(server.longPollUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://a.example', 'access-control-request-headers': 'x-phoenix-authtoken' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('x-phoenix-authtoken');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('get, post, options');
    for (const method of ['PUT', 'PATCH', 'DELETE', 'HEAD']) {
      expect((await fetch(server.longPollUrl, { method })).status, method).toBe(400);
    }
  });

  test('case LP12: a POST body over the limit answers {status: 413} in a 200, never an unreadable error', async () => {
    const server = await start();
    const lp = client(server);
    await lp.open();
    const response = await lp.postRaw('x'.repeat(9 * 1024 * 1024), 'application/x-ndjson');
    expect(response).toMatchObject({ httpStatus: 200, body: { status: 413 } });
  });
});

describe('the real app', () => {
  test('case LP13: a Starcatch session over LongPoll: authToken header, lobby join, presence, chat', async () => {
    const app = await startTestServer();
    try {
      const { token, user } = await app.signIn('lpuser');
      const lp = new RawLongPoll(`${app.httpUrl}/socket/longpoll`, { vsn: '2.0.0' }, { 'x-phoenix-authtoken': token });
      expect((await lp.open()).status).toBe(410);
      await lp.post([JSON.stringify(join('1', 'lobby'))]);
      const [reply] = await lp.take(1);
      expect(reply).toMatchObject(['1', '1', 'lobby', 'phx_reply', { status: 'ok' }]);
      const presence = await lp.take(2);
      expect(presence).toContainEqual(
        presenceDiff('lobby', { [user.id]: { metas: [expect.objectContaining({ nickname: 'lpuser' })] } }, {}),
      );
      await lp.post([JSON.stringify(push('1', '2', 'lobby', 'chat:send', { body: 'over longpoll' }))]);
      const chat = await lp.take(2);
      expect(chat).toContainEqual(
        broadcast('lobby', 'chat:message', expect.objectContaining({ body: 'over longpoll', user_id: user.id })),
      );
    } finally {
      await app.close();
    }
  });

  test('case LP13: LongPoll sessions count against MAX_SOCKETS_PER_ADDRESS; a refused one is {status: 403}', async () => {
    const app = await startTestServer({ MAX_SOCKETS_PER_ADDRESS: '1' });
    try {
      const { token } = await app.signIn();
      const first = new RawLongPoll(
        `${app.httpUrl}/socket/longpoll`,
        { vsn: '2.0.0' },
        { 'x-phoenix-authtoken': token },
      );
      expect((await first.open()).status).toBe(410);
      const second = new RawLongPoll(
        `${app.httpUrl}/socket/longpoll`,
        { vsn: '2.0.0' },
        { 'x-phoenix-authtoken': token },
      );
      expect((await second.get()).body).toEqual({ status: 403 });
    } finally {
      await app.close();
    }
  });
});
