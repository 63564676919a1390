import { v1JsonSerializer, v2JsonSerializer } from '@starcatch/phoenix';
import { afterEach, expect, test, vi } from 'vitest';
import { broadcast, ok, push, serverPush, v1 } from './frames.ts';
import { joinOk, nextJsons, useProtocolServer } from './harness.ts';

// docs/protocol.md §3.4, cases 34-35 of its §13.

const harness = useProtocolServer();

afterEach(() => {
  vi.restoreAllMocks();
});

/** Alice and Bob on `room:1` (join_refs "1" and "7"), Carol on `room:2` only. */
async function threeSockets() {
  const server = await harness.start();
  const alice = await harness.connect(server, { user: 'alice' });
  const bob = await harness.connect(server, { user: 'bob' });
  const carol = await harness.connect(server, { user: 'carol' });
  await joinOk(alice, '1', 'room:1');
  await joinOk(bob, '7', 'room:1');
  await joinOk(carol, '1', 'room:2');
  return { server, alice, bob, carol };
}

test('case 34: broadcast reaches every subscriber, the sender included, as [null, null, t, ev, p]', async () => {
  const { alice, bob, carol } = await threeSockets();
  alice.send(push('1', '2', 'room:1', 'broadcast', { event: 'ev', payload: { p: 1 } }));
  expect(await nextJsons(alice, 2)).toEqual([broadcast('room:1', 'ev', { p: 1 }), ok('1', '2', 'room:1')]);
  expect(await bob.nextJson()).toEqual(broadcast('room:1', 'ev', { p: 1 }));
  await carol.expectSilence();
});

test('case 34: broadcast_from reaches every subscriber but the sender', async () => {
  const { alice, bob, carol } = await threeSockets();
  alice.send(push('1', '2', 'room:1', 'broadcast_from', { event: 'ev', payload: { p: 1 } }));
  expect(await alice.nextJson()).toEqual(ok('1', '2', 'room:1'));
  expect(await bob.nextJson()).toEqual(broadcast('room:1', 'ev', { p: 1 }));
  await alice.expectSilence();
  await carol.expectSilence();
});

test('case 35: a broadcast is encoded once per format and every subscriber gets identical bytes', async () => {
  const { server, alice, bob, carol } = await threeSockets();
  const old = await harness.connect(server, { user: 'old', vsn: undefined });
  old.send(v1('room:1', 'phx_join', {}, '1', '1'));
  await old.nextJson();
  const v2Encode = vi.spyOn(v2JsonSerializer, 'encodeMessage');
  const v1Encode = vi.spyOn(v1JsonSerializer, 'encodeMessage');

  server.socket.broadcast('room:1', 'ev', { p: 1 });
  const [toAlice, toBob] = [await alice.next(), await bob.next()];
  expect(toAlice).toEqual(toBob);
  expect(toAlice.kind === 'text' && toAlice.text).toBe('[null,null,"room:1","ev",{"p":1}]');
  expect(await old.nextJson()).toStrictEqual(v1('room:1', 'ev', { p: 1 }, null));
  expect(v2Encode).toHaveBeenCalledTimes(1);
  expect(v1Encode).toHaveBeenCalledTimes(1);
  await carol.expectSilence();
});

test('case 35: an intercepted event becomes a per-subscriber push with each join_ref', async () => {
  const { alice, bob, carol } = await threeSockets();
  alice.send(push('1', '2', 'room:1', 'broadcast', { event: 'intercepted', payload: { p: 1 } }));
  expect(await nextJsons(alice, 2)).toEqual([
    ok('1', '2', 'room:1'),
    serverPush('1', 'room:1', 'intercepted', { p: 1, for: 'alice' }),
  ]);
  expect(await bob.nextJson()).toEqual(serverPush('7', 'room:1', 'intercepted', { p: 1, for: 'bob' }));
  await carol.expectSilence();
});
