import { expect, test } from 'vitest';
import { heartbeat, heartbeatReply, v1, v1Reply } from './frames.ts';
import { expectAlive, useProtocolServer } from './harness.ts';

// docs/protocol.md §2.2, §3.2 and §3.5, cases 40-44 of its §13: clients that send no vsn
// (GodotPhoenixChannels) get V1 objects.

const harness = useProtocolServer();

const openV1 = async () => {
  const server = await harness.start();
  return { server, ws: await harness.connect(server, { vsn: undefined }) };
};

/** A V1 join as GodotPhoenixChannels sends it: all five keys, join_ref = ref. */
const v1Join = (ref: string, topic: string, params: object = {}) => v1(topic, 'phx_join', params, ref, ref);

test('case 40: a V1 heartbeat gets a V1 reply with no join_ref key', async () => {
  const { ws } = await openV1();
  ws.send(v1('phoenix', 'heartbeat', {}, '1'));
  const frame = await ws.nextJson();
  expect(frame).toStrictEqual({
    topic: 'phoenix',
    event: 'phx_reply',
    payload: { status: 'ok', response: {} },
    ref: '1',
  });
  expect(frame).not.toHaveProperty('join_ref');
});

test('case 40: a Godot-style heartbeat (join_ref null) is answered without a join_ref key', async () => {
  const { ws } = await openV1();
  ws.send(v1('phoenix', 'heartbeat', {}, '2', null));
  expect(await ws.nextJson()).toStrictEqual(v1Reply('2', 'phoenix', 'ok'));
});

test('case 41: joins, replies and pushes are V1 objects without join_ref; broadcasts have ref null', async () => {
  const { server, ws } = await openV1();
  ws.send(v1Join('1', 'room:1', { reply: { hello: 'godot' } }));
  expect(await ws.nextJson()).toStrictEqual(v1Reply('1', 'room:1', 'ok', { hello: 'godot' }));
  ws.send(v1('room:1', 'echo', { a: 1 }, '2', '1'));
  expect(await ws.nextJson()).toStrictEqual(v1Reply('2', 'room:1', 'ok', { a: 1 }));
  ws.send(v1('room:1', 'push', { event: 'news', payload: { n: 1 } }, '3', '1'));
  expect(await ws.nextJson()).toStrictEqual(v1('room:1', 'news', { n: 1 }, null));
  server.socket.broadcast('room:1', 'ev', { p: 1 });
  expect(await ws.nextJson()).toStrictEqual(v1('room:1', 'ev', { p: 1 }, null));
  ws.send(v1('nope', 'x', {}, '4', null));
  expect(await ws.nextJson()).toStrictEqual(v1Reply('4', 'nope', 'error', { reason: 'unmatched topic' }));
});

test('case 42: phx_close carries ref = the join ref, after the leave reply', async () => {
  const { ws } = await openV1();
  ws.send(v1Join('1', 'room:1'));
  await ws.nextJson();
  ws.send(v1('room:1', 'phx_leave', {}, '2', '1'));
  expect(await ws.nextJson()).toStrictEqual(v1Reply('2', 'room:1', 'ok'));
  expect(await ws.nextJson()).toStrictEqual(v1('room:1', 'phx_close', {}, '1'));
});

test('case 42: phx_close of a server stop carries ref = the join ref, also for a join sent without join_ref', async () => {
  const { ws } = await openV1();
  // Older V1 clients send no join_ref at all: the join's ref becomes the join ref.
  ws.send(v1('room:1', 'phx_join', {}, '4'));
  expect(await ws.nextJson()).toStrictEqual(v1Reply('4', 'room:1', 'ok'));
  ws.send(v1('room:1', 'stop_silent', {}, '5'));
  expect(await ws.nextJson()).toStrictEqual(v1('room:1', 'phx_close', {}, '4'));
});

test('case 42: phx_error carries ref = the join ref', async () => {
  const { ws } = await openV1();
  ws.send(v1Join('1', 'room:1'));
  await ws.nextJson();
  ws.send(v1('room:1', 'crash', {}, '2', '1'));
  expect(await ws.nextJson()).toStrictEqual(v1('room:1', 'phx_error', { reason: 'channel_crash' }, '1'));
});

test('case 43: presence_state precedes any presence_diff for a join', async () => {
  const { ws } = await openV1();
  ws.send(v1Join('1', 'room:1', { track: 'godot' }));
  const meta = { user: 'anonymous', phx_ref: expect.any(String) };
  expect(await ws.nextJson()).toStrictEqual(v1Reply('1', 'room:1', 'ok'));
  expect(await ws.nextJson()).toStrictEqual(v1('room:1', 'presence_state', { godot: { metas: [meta] } }, null));
  expect(await ws.nextJson()).toStrictEqual(
    v1('room:1', 'presence_diff', { joins: { godot: { metas: [meta] } }, leaves: {} }, null),
  );
});

test('case 44: a V1-shaped object on a V2 socket closes that socket; other sockets keep working', async () => {
  const server = await harness.start();
  const v2 = await harness.connect(server);
  const other = await harness.connect(server);
  const old = await harness.connect(server, { vsn: undefined });
  v2.send(v1('phoenix', 'heartbeat', {}, '1'));
  expect((await v2.closed).code).toBe(1007);
  await expectAlive(other);
  old.send(v1('phoenix', 'heartbeat', {}, '2'));
  expect(await old.nextJson()).toStrictEqual(v1Reply('2', 'phoenix', 'ok'));
});

test('case 44: a V2 array or an incomplete object on a V1 socket closes that socket', async () => {
  const server = await harness.start();
  const other = await harness.connect(server);
  for (const frame of [heartbeat('1'), { topic: 'phoenix', event: 'heartbeat', payload: {} }]) {
    const old = await harness.connect(server, { vsn: undefined });
    old.send(frame);
    expect((await old.closed).code).toBe(1007);
  }
  other.send(heartbeat('3'));
  expect(await other.nextJson()).toEqual(heartbeatReply('3'));
});
