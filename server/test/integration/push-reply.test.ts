import { describe, expect, it } from 'vitest';
import { bytesOf, join, outcome, push, recordEvents, recordMessages } from './phoenix-client.ts';
import { useProbeServer } from './probe-server.ts';
import { QUIET_WINDOW_MS, sleep, waitFor } from './wait-for.ts';

/** A push timeout far below the 10 s default, for the `noreply` path. */
const SHORT_PUSH_TIMEOUT_MS = 100;

const probe = useProbeServer();
const { openSocket } = probe;

describe('phoenix.js join and push against the server', () => {
  it('joins with the reply map the channel returned, under join_ref == ref', async () => {
    const socket = await openSocket('joiner');
    const messages = recordMessages(socket);
    const channel = socket.channel('room:join', { reply: { welcome: 'ada', seats: [1, 2] } });

    expect(await join(channel)).toEqual({ welcome: 'ada', seats: [1, 2] });

    const joinRef = channel.joinRef();
    expect(messages).toEqual([
      {
        join_ref: joinRef,
        ref: joinRef,
        topic: 'room:join',
        event: 'phx_reply',
        payload: { status: 'ok', response: { welcome: 'ada', seats: [1, 2] } },
      },
    ]);
    expect(channel.state).toBe('joined');
  });

  it('reports a refused join as an error reply, then retries it with a new join_ref', async () => {
    const socket = await openSocket('refused');
    const channel = socket.channel('room:refused', { reject: true });
    const joinRefs: (string | null)[] = [];
    const first = await outcome(channel.join());
    joinRefs.push(channel.joinRef());

    expect(first).toEqual({ status: 'error', response: { reason: 'unauthorized' } });
    expect(channel.state).toBe('errored');
    // phoenix.js retries a refused join forever (rejoinAfterMs); only leave() stops it.
    await waitFor(() => channel.state === 'errored' && channel.joinRef() !== joinRefs[0], { what: 'a second join' });
    channel.leave();
    expect(channel.state).toBe('closed');
  });

  it('gets "unmatched topic" for a topic no route matches', async () => {
    const socket = await openSocket('lost');
    const messages = recordMessages(socket);
    const channel = socket.channel('nowhere:1');

    expect(await outcome(channel.join())).toEqual({ status: 'error', response: { reason: 'unmatched topic' } });
    // Phoenix sends this reply with a null join_ref; phoenix.js still routes it by topic and ref.
    expect(messages[0]).toMatchObject({ join_ref: null, ref: channel.joinRef(), event: 'phx_reply' });
    channel.leave();
  });

  it('round-trips a nested payload through an ok reply', async () => {
    const socket = await openSocket('echo');
    const channel = socket.channel('room:echo');
    await join(channel);
    const payload = { n: 1, f: -2.5, text: 'héllo ✓ "quoted"', nested: { list: [1, 'two', null, true], empty: {} } };

    expect(await push(channel, 'echo', payload)).toEqual({ status: 'ok', response: payload });
  });

  it('delivers error replies to receive("error")', async () => {
    const socket = await openSocket('errors');
    const channel = socket.channel('room:errors');
    await join(channel);

    expect(await push(channel, 'error', {})).toEqual({ status: 'error', response: { reason: 'asked for an error' } });
    expect(await push(channel, 'no_such_event', {})).toEqual({
      status: 'error',
      response: { reason: 'unknown event' },
    });
    // An error reply leaves the channel joined.
    expect(channel.state).toBe('joined');
    expect(await push(channel, 'echo', { still: 'here' })).toEqual({ status: 'ok', response: { still: 'here' } });
  });

  it('times a noreply push out on the client, with no reply frame, and keeps the channel usable', async () => {
    const socket = await openSocket('silent');
    const channel = socket.channel('room:silent');
    await join(channel);
    const messages = recordMessages(socket);

    const started = Date.now();
    expect(await push(channel, 'noreply', {}, SHORT_PUSH_TIMEOUT_MS)).toEqual({ status: 'timeout', response: {} });
    expect(Date.now() - started).toBeGreaterThanOrEqual(SHORT_PUSH_TIMEOUT_MS - 5);
    await sleep(QUIET_WINDOW_MS);
    expect(messages).toEqual([]);
    expect(await push(channel, 'echo', { after: 'timeout' })).toEqual({ status: 'ok', response: { after: 'timeout' } });
  });

  it('buffers a push made before the join reply and sends it once joined', async () => {
    const socket = await openSocket('eager');
    const channel = socket.channel('room:eager');
    const joined = join(channel);
    const early = push(channel, 'echo', { sent: 'before the join reply' });

    await joined;
    expect(await early).toEqual({ status: 'ok', response: { sent: 'before the join reply' } });
  });

  it('delivers a push made during join after the join reply', async () => {
    const socket = await openSocket('greeted');
    const channel = socket.channel('room:greeted', { push: 'welcome' });
    const order: string[] = [];
    channel.on('welcome', (payload: unknown) => {
      order.push(`welcome ${JSON.stringify(payload)}`);
    });

    await outcome(channel.join().receive('ok', () => order.push('join ok')));
    await waitFor(() => order.length === 2, { what: 'the welcome push' });
    expect(order).toEqual(['join ok', 'welcome {"during":"join"}']);
  });

  it('delivers a server push to the channel with the current join_ref', async () => {
    const socket = await openSocket('pushed');
    const channel = socket.channel('room:pushed');
    await join(channel);
    const messages = recordMessages(socket);
    const notices = recordEvents(channel, 'notice');

    channel.push('push', { event: 'notice', payload: { level: 3 } });
    await waitFor(() => notices.length === 1, { what: 'the notice push' });
    expect(notices).toEqual([{ level: 3 }]);
    expect(messages).toEqual([
      { join_ref: channel.joinRef(), ref: null, topic: 'room:pushed', event: 'notice', payload: { level: 3 } },
    ]);
  });
});

describe('phoenix.js binary payloads', () => {
  // Zero, high bytes and an invalid UTF-8 sequence: any text round trip would corrupt them.
  const BYTES = [0, 1, 127, 128, 254, 255, 0xc3, 0x28];

  it('sends an ArrayBuffer push as a binary frame and gets the same bytes back as an ArrayBuffer reply', async () => {
    const socket = await openSocket('binary');
    const channel = socket.channel('room:binary');
    await join(channel);

    const reply = await push(channel, 'binary', new Uint8Array(BYTES).buffer);
    expect(reply.status).toBe('ok');
    expect(bytesOf(reply.response)).toEqual(BYTES);
  });

  it('round-trips an empty ArrayBuffer', async () => {
    const socket = await openSocket('binary-empty');
    const channel = socket.channel('room:binary-empty');
    await join(channel);

    const reply = await push(channel, 'binary', new ArrayBuffer(0));
    expect(reply.status).toBe('ok');
    expect(bytesOf(reply.response)).toEqual([]);
  });

  it('round-trips 64 KiB of bytes on a topic whose name is not ASCII', async () => {
    // Header lengths are byte counts: "room:café" is 10 bytes for 9 characters.
    const socket = await openSocket('binary-large');
    const channel = socket.channel('room:café');
    await join(channel);
    const bytes = Array.from({ length: 64 * 1024 }, (_, i) => (i * 31 + 7) % 256);

    const reply = await push(channel, 'binary', new Uint8Array(bytes).buffer);
    expect(reply.status).toBe('ok');
    expect(bytesOf(reply.response)).toEqual(bytes);

    const bins = recordEvents(channel, 'bin');
    channel.push('push_binary', new Uint8Array(BYTES).buffer);
    await waitFor(() => bins.length === 1, { what: 'the binary push' });
    expect(bins.map(bytesOf)).toEqual([BYTES]);
  });

  it('receives a binary server push as an ArrayBuffer', async () => {
    const socket = await openSocket('binary-push');
    const channel = socket.channel('room:binary-push');
    await join(channel);
    const bins = recordEvents(channel, 'bin');

    // A binary push_binary: the server pushes the same bytes back on `bin`.
    channel.push('push_binary', new Uint8Array(BYTES).buffer);
    // A JSON push_binary: the server pushes its default bytes 01 02.
    channel.push('push_binary', {});
    await waitFor(() => bins.length === 2, { what: 'two binary pushes' });

    expect(bins.map(bytesOf)).toEqual([BYTES, [1, 2]]);
  });
});
