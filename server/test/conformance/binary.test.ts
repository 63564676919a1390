import { expect, test } from 'vitest';
import { broadcast, hex, reply, v1 } from './frames.ts';
import { expectAlive, joinOk, useProtocolServer } from './harness.ts';

// docs/protocol.md §7, case 25 of its §13. Frames are compared byte for byte with the layouts of §7
// (here join_ref "3", ref "7", topic "room:1", payload 01 02).

const harness = useProtocolServer();

async function joinedAsThree() {
  const server = await harness.start();
  const ws = await harness.connect(server);
  await joinOk(ws, '3', 'room:1');
  return { server, ws };
}

test('case 25: a binary client push is decoded as join_ref, ref, topic, event and raw payload', async () => {
  const { ws } = await joinedAsThree();
  // The layout of §7: kind 0, lengths 1 1 6 3, "3" "7" "room:1" "bin", 01 02. The channel has no "bin".
  ws.send(hex('00 01 01 06 03 33 37 72 6f 6f 6d 3a 31 62 69 6e 01 02'));
  expect(await ws.nextJson()).toEqual(reply('3', '7', 'room:1', 'error', { reason: 'unknown event' }));
});

test('case 25: a binary reply is 01, four lengths, join_ref, ref, topic, status, payload', async () => {
  const { ws } = await joinedAsThree();
  // Event "binary" replies ok with the bytes it received.
  ws.send(hex('00 01 01 06 06 33 37 72 6f 6f 6d 3a 31 62 69 6e 61 72 79 01 02'));
  expect(await ws.next()).toEqual({ kind: 'binary', bytes: hex('01 01 01 06 02 33 37 72 6f 6f 6d 3a 31 6f 6b 01 02') });
});

test('case 25: a binary server push is 00, three lengths (no ref), join_ref, topic, event, payload', async () => {
  const { ws } = await joinedAsThree();
  // Event "push_binary" (ref "8") pushes its payload back as event "bin", without a reply.
  ws.send(hex('00 01 01 06 0b 33 38 72 6f 6f 6d 3a 31 70 75 73 68 5f 62 69 6e 61 72 79 01 02'));
  expect(await ws.next()).toEqual({ kind: 'binary', bytes: hex('00 01 06 03 33 72 6f 6f 6d 3a 31 62 69 6e 01 02') });
  await ws.expectSilence();
});

test('case 25: a binary broadcast is 02, two lengths, topic, event, payload, the same bytes for all', async () => {
  const { server, ws } = await joinedAsThree();
  const other = await harness.connect(server);
  await joinOk(other, '9', 'room:1');
  server.socket.broadcast('room:1', 'bin', new Uint8Array([1, 2]));
  const expected = { kind: 'binary', bytes: hex('02 06 03 72 6f 6f 6d 3a 31 62 69 6e 01 02') };
  expect(await ws.next()).toEqual(expected);
  expect(await other.next()).toEqual(expected);
});

test('case 25: a binary broadcast skips V1 sockets, which cannot carry binary, and still reaches V2', async () => {
  const { server, ws } = await joinedAsThree();
  const old = await harness.connect(server, { vsn: undefined });
  old.send(v1('room:1', 'phx_join', {}, '1', '1'));
  await old.nextJson();
  server.socket.broadcast('room:1', 'bin', new Uint8Array([1, 2]));
  server.socket.broadcast('room:1', 'text', { after: 'bin' });
  expect((await ws.next()).kind).toBe('binary');
  expect(await ws.nextJson()).toEqual(broadcast('room:1', 'text', { after: 'bin' }));
  expect(await old.nextJson()).toStrictEqual(v1('room:1', 'text', { after: 'bin' }, null));
});

test('case 25: a binary frame that is not a well-formed push closes that socket with 1007', async () => {
  const { server, ws } = await joinedAsThree();
  const frames = [
    hex('01 01 01 06 02 33 37 72 6f 6f 6d 3a 31 6f 6b'), // a reply: clients only send pushes
    hex('00 01 01 06 03 33 37 72 6f 6f 6d'), // shorter than its header says
  ];
  for (const frame of frames) {
    const bad = await harness.connect(server);
    bad.send(frame);
    expect((await bad.closed).code).toBe(1007);
  }
  const old = await harness.connect(server, { vsn: undefined });
  old.send(hex('00 01 01 06 03 33 37 72 6f 6f 6d 3a 31 62 69 6e 01 02'));
  expect((await old.closed).code).toBe(1007);
  await expectAlive(ws);
});
