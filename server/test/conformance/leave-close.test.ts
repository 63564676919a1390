import { expect, test, vi } from 'vitest';
import { terminations } from '../support/protocol-test-server.ts';
import { join, leave, ok, phxClose, phxError, presenceDiff, push, serverPush, unmatchedTopic } from './frames.ts';
import { expectAlive, joinOk, nextJsons, useProtocolServer } from './harness.ts';

// docs/protocol.md §4.3-§4.5 and §8.2, cases 27-33 and 39 of its §13.

const harness = useProtocolServer();

const alice = { alice: { metas: [{ user: 'alice', phx_ref: expect.any(String) }] } };

test('case 27: phx_leave is answered ok, then phx_close, and the topic is then unmatched', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '1', 'room:1');
  ws.send(leave('1', '10', 'room:1'));
  // The test channel pushes "you_left" from terminate: it follows the phx_close, as in Phoenix.
  expect(await nextJsons(ws, 3)).toEqual([
    ok('1', '10', 'room:1'),
    phxClose('1', 'room:1'),
    serverPush('1', 'room:1', 'you_left', {}),
  ]);
  expect(terminations).toEqual([{ topic: 'room:1', reason: 'leave' }]);
  ws.send(push('1', '11', 'room:1', 'echo'));
  expect(await ws.nextJson()).toEqual(unmatchedTopic('11', 'room:1'));
});

test('case 28: phx_leave for a topic not joined is answered ok with no phx_close', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  ws.send(leave('5', '6', 'room:1'));
  expect(await ws.nextJson()).toEqual(ok('5', '6', 'room:1'));
  await ws.expectSilence();
});

test('case 29: phx_leave with a stale join_ref gets no frame and the channel stays joined', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '3', 'room:1');
  ws.send(leave('1', '4', 'room:1'));
  await ws.expectSilence();
  ws.send(push('3', '5', 'room:1', 'echo'));
  expect(await ws.nextJson()).toEqual(ok('3', '5', 'room:1'));
  expect(terminations).toEqual([]);
});

test('case 30: a channel stopped by the server sends phx_close (not phx_error)', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '1', 'room:1');
  ws.send(push('1', '2', 'room:1', 'stop_silent'));
  expect(await ws.nextJson()).toEqual(phxClose('1', 'room:1'));
  await ws.expectSilence();
  ws.send(push('1', '3', 'room:1', 'echo'));
  expect(await ws.nextJson()).toEqual(unmatchedTopic('3', 'room:1'));
  expect(terminations).toEqual([{ topic: 'room:1', reason: 'stop' }]);
});

test('case 30: a stop with a reply sends the reply, then phx_close', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '1', 'room:1');
  ws.send(push('1', '2', 'room:1', 'stop'));
  expect(await nextJsons(ws, 2)).toEqual([ok('1', '2', 'room:1', { stopping: true }), phxClose('1', 'room:1')]);
  await ws.expectSilence();
});

test('case 31: a crashing channel sends phx_error with channel_crash, and a rejoin is a fresh join', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '1', 'room:1');
  ws.send(push('1', '2', 'room:1', 'crash'));
  expect(await ws.nextJson()).toEqual(phxError('1', 'room:1'));
  await ws.expectSilence();
  expect(terminations).toEqual([{ topic: 'room:1', reason: 'crash' }]);
  ws.send(push('1', '3', 'room:1', 'echo'));
  expect(await ws.nextJson()).toEqual(unmatchedTopic('3', 'room:1'));
  // phoenix.js rejoins 1 s later with a new join_ref.
  await joinOk(ws, '5', 'room:1');
  ws.send(push('5', '6', 'room:1', 'echo'));
  expect(await ws.nextJson()).toEqual(ok('5', '6', 'room:1'));
});

test('case 32: a client disconnect terminates its channels and untracks its presence, sending nothing', async () => {
  const server = await harness.start();
  const observer = await harness.connect(server, { user: 'observer' });
  await joinOk(observer, '1', 'room:1');
  const ws = await harness.connect(server, { user: 'alice' });
  ws.send(join('1', 'room:1', { track: 'alice' }));
  await nextJsons(ws, 3); // reply, presence_state, own join diff
  await joinOk(ws, '2', 'room:2');
  expect(await observer.nextJson()).toEqual(presenceDiff('room:1', alice, {}));

  ws.close();
  await ws.closed;
  expect(await observer.nextJson()).toEqual(presenceDiff('room:1', {}, alice));
  await vi.waitFor(() =>
    expect(terminations).toEqual(
      expect.arrayContaining([
        { topic: 'room:1', reason: 'closed' },
        { topic: 'room:2', reason: 'closed' },
      ]),
    ),
  );
  expect(terminations).toHaveLength(2);
  expect(server.socket.connectionCount).toBe(1);
  await expectAlive(observer);
});

test('case 33: a kick by socket id closes every socket of that id with 1001 and ends their channels', async () => {
  const server = await harness.start();
  const observer = await harness.connect(server, { user: 'observer' });
  await joinOk(observer, '1', 'room:1');
  const tab1 = await harness.connect(server, { user: 'alice' });
  const tab2 = await harness.connect(server, { user: 'alice' });
  tab1.send(join('1', 'room:1', { track: 'alice' }));
  await nextJsons(tab1, 3);
  await joinOk(tab2, '1', 'room:2');
  await observer.nextJson(); // alice's join diff

  expect(server.socket.disconnect('user_socket:alice')).toBe(2);
  expect((await tab1.closed).code).toBe(1001);
  expect((await tab2.closed).code).toBe(1001);
  expect(await observer.nextJson()).toEqual(presenceDiff('room:1', {}, alice));
  await vi.waitFor(() => expect(terminations).toHaveLength(2));
  expect(terminations).toEqual(
    expect.arrayContaining([
      { topic: 'room:1', reason: 'kicked' },
      { topic: 'room:2', reason: 'kicked' },
    ]),
  );
  await expectAlive(observer);
});

test('case 39: a server drain closes every socket with 1012 and ends their channels', async () => {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '1', 'room:1');
  server.socket.drain();
  expect((await ws.closed).code).toBe(1012);
  await vi.waitFor(() => expect(terminations).toEqual([{ topic: 'room:1', reason: 'closed' }]));
});
