import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FetchXhr } from '../support/fetch-xhr.ts';
import { type LongPollTestServer, startLongPollTestServer } from '../support/longpoll-test-server.ts';
import { VALID_TOKEN } from '../support/protocol-test-server.ts';

// The version matrix over LongPoll (`transport: LongPoll`): phoenix.js 1.5 to 1.7 poll with
// XMLHttpRequest found on `self`, as in a browser; Node has neither, so this file (its own process)
// provides both before it loads them. 1.8 would use fetch by itself.
Object.assign(globalThis, { self: globalThis, XMLHttpRequest: FetchXhr });
const { PHOENIX_VERSIONS } = await import('./phoenix-versions.ts');
const { FAST_TIMERS, join, outcome, recordEvents, rejoined } = await import('./phoenix-client.ts');
const { waitFor } = await import('./wait-for.ts');

type Socket = InstanceType<(typeof PHOENIX_VERSIONS)[number]['phoenix']['Socket']>;

describe.each(PHOENIX_VERSIONS)('phoenix.js $name over LongPoll', (version) => {
  const { Socket, LongPoll } = version.phoenix;
  let server: LongPollTestServer;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = await startLongPollTestServer({ windowMs: 300, idleTimeoutMs: 1_000 });
  });
  afterEach(() => {
    for (const socket of sockets) socket.disconnect();
    sockets.clear();
  });
  afterAll(() => server.close());

  function open(user: string, transport: unknown = LongPoll): Promise<Socket> {
    const socket = new Socket(server.socketUrl, {
      ...FAST_TIMERS,
      transport: transport as typeof LongPoll,
      params: { token: VALID_TOKEN, user },
    });
    sockets.add(socket);
    return new Promise((resolve) => {
      const ref = socket.onOpen(() => {
        socket.off([ref]);
        resolve(socket);
      });
      socket.connect();
    });
  }

  it('joins, pushes, gets replies and receives broadcasts from a WebSocket client', async () => {
    const polling = await open(`poll-${version.name}`);
    expect(polling.conn).toBeInstanceOf(LongPoll);
    const websocket = await open(`ws-${version.name}`, WebSocket);
    const topic = `room:lp-versions-${version.name}`;
    const onPoll = polling.channel(topic);
    const onWs = websocket.channel(topic);
    await Promise.all([join(onPoll), join(onWs)]);
    expect(await outcome(onPoll.push('echo', { v: version.name }))).toEqual({
      status: 'ok',
      response: { v: version.name },
    });
    const heard = recordEvents(onPoll, 'said');
    await outcome(onWs.push('broadcast', { event: 'said', payload: { to: 'poller' } }));
    await waitFor(() => heard.length === 1, { what: 'the broadcast over LongPoll' });
    expect(heard).toEqual([{ to: 'poller' }]);
  });

  it('rejoins after the server ends its session (kick)', async () => {
    const user = `kicked-${version.name}`;
    const socket = await open(user);
    const closeCodes: number[] = [];
    socket.onClose((event?: { code?: number }) => {
      closeCodes.push(event?.code ?? 0);
    });
    const channel = socket.channel(`room:lp-kick-${version.name}`);
    await join(channel);
    const joinRef = channel.joinRef();

    expect(server.socket.disconnect(`user_socket:${user}`)).toBe(1);
    await rejoined(channel, joinRef);
    expect(await outcome(channel.push('echo', { after: 'kick' }))).toEqual({
      status: 'ok',
      response: { after: 'kick' },
    });
    // 1.8.2+ takes the 410 of a session it holds as "session gone" (close 3410) and reconnects.
    // Older versions take every 410 as "opened" and poll again with `token=undefined`, which is then
    // their last `token` param too: `connect` refuses it (403; 1.6 and 1.7 close with 1008, 1.5 with
    // no code), and the reconnect that follows rejoins.
    if (version.name === '1.8') expect(closeCodes).toEqual([3410]);
    else if (version.name === '1.5') expect(closeCodes.length).toBeGreaterThan(0);
    else expect(closeCodes).toContain(1008);
  });
});
