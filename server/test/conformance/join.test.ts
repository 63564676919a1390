import { expect, test } from 'vitest';
import { terminations } from '../support/protocol-test-server.ts';
import {
  broadcast,
  join,
  ok,
  phxClose,
  presenceDiff,
  presenceState,
  push,
  reply,
  serverPush,
  unmatchedTopic,
} from './frames.ts';
import { expectAlive, joinOk, nextJsons, useProtocolServer } from './harness.ts';

// docs/protocol.md §4.1 and §6.2, cases 11-18 of its §13.

const harness = useProtocolServer();

test('case 11: a join is answered ok, echoing both join_ref and ref', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  ws.send(join('1', 'room:lobby'));
  expect(await ws.nextJson()).toEqual(ok('1', '1', 'room:lobby'));
});

test('case 12: the reply of join carries its response verbatim', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  const response = { user_id: 'u-42', nested: { list: [1, 'two', null] } };
  ws.send(join('4', 'room:1', { reply: response }));
  expect(await ws.nextJson()).toEqual(ok('4', '4', 'room:1', response));
});

test('case 13: a rejected join gets an error reply, no phx_close, and the topic stays unjoined', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  ws.send(join('1', 'room:1', { reject: true }));
  expect(await ws.nextJson()).toEqual(reply('1', '1', 'room:1', 'error', { reason: 'unauthorized' }));
  await ws.expectSilence();
  ws.send(push('1', '2', 'room:1', 'x'));
  expect(await ws.nextJson()).toEqual(unmatchedTopic('2', 'room:1'));
});

test('case 14: the join of an unrouted topic is "unmatched topic" with join_ref null', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  ws.send(join('1', 'nope'));
  expect(await ws.nextJson()).toEqual(unmatchedTopic('1', 'nope'));
});

test('case 15: duplicate join closes the old channel', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server, { user: 'alice' });
  const observer = await harness.connect(server, { user: 'observer' });
  await joinOk(observer, '1', 'room:1');
  ws.send(join('1', 'room:1', { track: 'alice' }));
  const alice = { alice: { metas: [{ user: 'alice', phx_ref: expect.any(String) }] } };
  expect(await nextJsons(ws, 3)).toEqual([
    ok('1', '1', 'room:1'),
    presenceState('1', 'room:1', alice),
    presenceDiff('room:1', alice, {}),
  ]);
  expect(await observer.nextJson()).toEqual(presenceDiff('room:1', alice, {}));

  ws.send(join('3', 'room:1'));
  // The new join's reply first, then the phx_close of the old join.
  expect(await nextJsons(ws, 2)).toEqual([ok('3', '3', 'room:1'), phxClose('1', 'room:1')]);
  expect(terminations).toEqual([{ topic: 'room:1', reason: 'duplicate_join' }]);

  // The old join's presence is gone, and so is its subscription: one copy of each broadcast.
  expect(await observer.nextJson()).toEqual(presenceDiff('room:1', {}, alice));
  ws.send(push('3', '4', 'room:1', 'broadcast', { event: 'ping', payload: {} }));
  expect(await nextJsons(ws, 2)).toEqual([broadcast('room:1', 'ping', {}), ok('3', '4', 'room:1')]);
  await ws.expectSilence();

  // Messages with the old join_ref are ignored.
  ws.send(push('1', '5', 'room:1', 'echo', { stale: true }));
  await ws.expectSilence();
});

test('case 16: the join reply is written before any push made during the join', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  ws.send(join('1', 'room:1', { push: 'welcome' }));
  expect(await nextJsons(ws, 2)).toEqual([
    ok('1', '1', 'room:1'),
    serverPush('1', 'room:1', 'welcome', { during: 'join' }),
  ]);
});

test('case 16: the join reply precedes presence_state, which precedes the presence_diff of the join', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server, { user: 'alice' });
  ws.send(join('1', 'room:1', { track: 'alice' }));
  const alice = { alice: { metas: [{ user: 'alice', phx_ref: expect.any(String) }] } };
  expect(await nextJsons(ws, 3)).toEqual([
    ok('1', '1', 'room:1'),
    presenceState('1', 'room:1', alice),
    presenceDiff('room:1', alice, {}),
  ]);
});

test('case 17: a join whose handler throws is "join crashed" and the socket stays up', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  ws.send(join('1', 'room:1', { crash: true }));
  expect(await ws.nextJson()).toEqual(reply('1', '1', 'room:1', 'error', { reason: 'join crashed' }));
  await expectAlive(ws);
  await joinOk(ws, '2', 'room:1');
});

test('case 18: join #101 on one socket is refused with "too many channels joined"', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  for (let i = 1; i <= 100; i++) ws.send(join(String(i), `room:${i}`));
  const replies = await nextJsons(ws, 100);
  expect(replies).toEqual(Array.from({ length: 100 }, (_, i) => ok(String(i + 1), String(i + 1), `room:${i + 1}`)));
  ws.send(join('101', 'room:101'));
  expect(await ws.nextJson()).toEqual(reply('101', '101', 'room:101', 'error', { reason: 'too many channels joined' }));
  // Rejoining a topic already held is not a new channel.
  ws.send(join('102', 'room:1'));
  expect(await nextJsons(ws, 2)).toEqual([ok('102', '102', 'room:1'), phxClose('1', 'room:1')]);
});
