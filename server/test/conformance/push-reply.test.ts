import { expect, test } from 'vitest';
import { terminations } from '../support/protocol-test-server.ts';
import { leave, ok, phxClose, push, reply, serverPush, unmatchedTopic } from './frames.ts';
import { expectAlive, joinOk, nextJsons, useProtocolServer } from './harness.ts';

// docs/protocol.md §3.4, §4.2 and §8.2, cases 19-24 and 26 of its §13 (the binary case 25 is in
// binary.test.ts).

const harness = useProtocolServer();

test('case 19: a push runs the handler and its reply echoes join_ref, ref and topic', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '1', 'room:1');
  ws.send(push('1', '7', 'room:1', 'echo', { a: 1 }));
  expect(await ws.nextJson()).toEqual(ok('1', '7', 'room:1', { a: 1 }));
  ws.send(push('1', '8', 'room:1', 'error'));
  expect(await ws.nextJson()).toEqual(reply('1', '8', 'room:1', 'error', { reason: 'asked for an error' }));
});

test('case 20: a push with join_ref null is processed, and its reply carries the channel join_ref', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '1', 'room:1');
  ws.send(push(null, '7', 'room:1', 'echo', { a: 1 }));
  expect(await ws.nextJson()).toEqual(ok('1', '7', 'room:1', { a: 1 }));
});

test('case 21: a push with a stale join_ref gets no frame and does not run the handler', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '1', 'room:1');
  ws.send(push('0', '8', 'room:1', 'echo', { a: 1 }));
  ws.send(push('0', '9', 'room:1', 'stop_silent'));
  await ws.expectSilence();
  // Had the stale stop run, the channel would be gone and this would be "unmatched topic".
  ws.send(push('1', '10', 'room:1', 'echo', { still: 'joined' }));
  expect(await ws.nextJson()).toEqual(ok('1', '10', 'room:1', { still: 'joined' }));
  expect(terminations).toEqual([]);
});

test('case 22: a push to a topic never joined is "unmatched topic" with join_ref null', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  ws.send(push('1', '9', 'room:1', 'echo'));
  expect(await ws.nextJson()).toEqual(unmatchedTopic('9', 'room:1'));
});

test('case 22: a push to a topic already left is "unmatched topic"', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '1', 'room:1');
  ws.send(leave('1', '2', 'room:1'));
  expect(await nextJsons(ws, 3)).toEqual([
    ok('1', '2', 'room:1'),
    phxClose('1', 'room:1'),
    serverPush('1', 'room:1', 'you_left', {}),
  ]);
  ws.send(push('1', '9', 'room:1', 'echo'));
  expect(await ws.nextJson()).toEqual(unmatchedTopic('9', 'room:1'));
});

test('case 23: a handler without reply sends no frame at all', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '1', 'room:1');
  ws.send(push('1', '7', 'room:1', 'noreply'));
  await ws.expectSilence();
  // The channel still answers later pushes in order.
  ws.send(push('1', '8', 'room:1', 'echo'));
  expect(await ws.nextJson()).toEqual(ok('1', '8', 'room:1'));
});

test('case 24: a server push is [join_ref, null, topic, event, payload]', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '3', 'room:1');
  ws.send(push('3', '4', 'room:1', 'push', { event: 'news', payload: { n: 1 } }));
  expect(await ws.nextJson()).toEqual(serverPush('3', 'room:1', 'news', { n: 1 }));
  await ws.expectSilence();
});

test('case 26: invalid JSON or a non-array text frame closes that socket only', async () => {
  const server = await harness.start();
  const other = await harness.connect(server);
  await joinOk(other, '1', 'room:1');
  for (const garbage of ['not json', '{"a":1}', '"text"', '[null,"1","room:1"]', '[null,"1",7,"echo",{}]']) {
    const ws = await harness.connect(server);
    ws.send(garbage);
    // Phoenix crashes the socket process (1011); the library says 1007. Either way the client reconnects.
    expect((await ws.closed).code, garbage).toBe(1007);
  }
  await expectAlive(other);
  other.send(push('1', '2', 'room:1', 'echo', { ok: true }));
  expect(await other.nextJson()).toEqual(ok('1', '2', 'room:1', { ok: true }));
});
