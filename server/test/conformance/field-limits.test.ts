/**
 * Header fields of inbound text frames are limited to 255 bytes of UTF-8 (what a V2 binary frame
 * can carry): a longer ref, join_ref, topic or event makes the frame malformed, and the socket is
 * closed with 1007 at decode time, before anything is routed. Other sockets carry on.
 */
// docs/protocol.md §3.3, case 45 of its §13.
import { describe, expect, test } from 'vitest';
import { heartbeat, heartbeatReply, join, ok, push } from './frames.ts';
import { expectAlive, useProtocolServer } from './harness.ts';

const harness = useProtocolServer();

/** 255 bytes: 127 two-byte characters and one ASCII. */
const LONGEST_UTF8 = `${'é'.repeat(127)}x`;
/** 256 bytes in 128 characters: the limit is bytes, not characters. */
const TOO_LONG_UTF8 = 'é'.repeat(128);

describe('refs, join_refs, topics and events over 255 bytes (V2)', () => {
  test('case 45: a 255-byte ref is echoed; a 256-byte one closes that socket with 1007, and the others carry on', async () => {
    const server = await harness.start();
    const bad = await harness.connect(server);
    const other = await harness.connect(server);
    other.send(join('1', 'room:lobby'));
    expect(await other.nextJson()).toEqual(ok('1', '1', 'room:lobby'));

    bad.send(heartbeat('r'.repeat(255)));
    expect(await bad.nextJson()).toEqual(heartbeatReply('r'.repeat(255)));
    bad.send(heartbeat(LONGEST_UTF8));
    expect(await bad.nextJson()).toEqual(heartbeatReply(LONGEST_UTF8));

    bad.send(heartbeat('r'.repeat(256)));
    expect(await bad.closed).toEqual({ code: 1007, reason: 'ref is 256 bytes; at most 255 allowed' });

    await expectAlive(other);
    other.send(push('1', '2', 'room:lobby', 'echo', { still: 'here' }));
    expect(await other.nextJson()).toEqual(ok('1', '2', 'room:lobby', { still: 'here' }));
  });

  test.each([
    ['ref', heartbeat(TOO_LONG_UTF8), 'ref is 256 bytes; at most 255 allowed'],
    ['join_ref', push(TOO_LONG_UTF8, '1', 'room:1', 'echo'), 'join_ref is 256 bytes; at most 255 allowed'],
    ['topic', join('1', `room:${'t'.repeat(300)}`), 'topic is 305 bytes; at most 255 allowed'],
    ['event', push(null, '1', 'room:1', 'e'.repeat(256)), 'event is 256 bytes; at most 255 allowed'],
  ])(
    'case 45: an over-long %s is a malformed frame (1007), whatever else the frame holds',
    async (_field, frame, reason) => {
      const server = await harness.start();
      const ws = await harness.connect(server);
      ws.send(frame);
      expect(await ws.closed).toEqual({ code: 1007, reason });
      expect(server.socket.connectionCount).toBe(0);
    },
  );

  test('case 45: nothing of an over-long join is routed: no channel joins, no terminate', async () => {
    const server = await harness.start();
    const ws = await harness.connect(server);
    ws.send(join('j'.repeat(256), 'room:1'));
    expect((await ws.closed).code).toBe(1007);
    expect(server.socket.channelCount).toBe(0);
  });
});

describe('V1 frames', () => {
  test('case 45: the same limits apply to V1 objects', async () => {
    const server = await harness.start();
    const ws = await harness.connect(server, { vsn: undefined });
    ws.send({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: 'r'.repeat(255) });
    expect(await ws.nextJson()).toMatchObject({ topic: 'phoenix', ref: 'r'.repeat(255) });
    ws.send({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: 'r'.repeat(256) });
    expect(await ws.closed).toEqual({ code: 1007, reason: 'ref is 256 bytes; at most 255 allowed' });
  });
});
