import { expect, test } from 'vitest';
import { join, leave, ok, phxClose, phxError, presenceDiff, presenceState, push, serverPush } from './frames.ts';
import { joinOk, nextJsons, useProtocolServer } from './harness.ts';

// docs/protocol.md §6, cases 36-38 of its §13. The test channel tracks `{user}` under the key given as
// `track` on join.

const harness = useProtocolServer();

const meta = (user: string) => ({ user, phx_ref: expect.any(String) });

/** The metas of `key` in a presence_state or presence_diff frame. */
function metasOf(frame: unknown, ...path: string[]): { phx_ref: string }[] {
  let value = (frame as unknown[])[4] as Record<string, unknown>;
  for (const step of path) value = value[step] as Record<string, unknown>;
  return value.metas as { phx_ref: string }[];
}

test('case 36: presence_state follows every join and rejoin, complete and keyed by string', async () => {
  const server = await harness.start();
  const bob = await harness.connect(server, { user: 'bob' });
  bob.send(join('1', 'room:1', { track: 'bob' }));
  await nextJsons(bob, 3);
  const alice = await harness.connect(server, { user: 'alice' });

  alice.send(join('1', 'room:1', { track: 'alice' }));
  const everyone = { alice: { metas: [meta('alice')] }, bob: { metas: [meta('bob')] } };
  const [joined, state, ownJoin] = await nextJsons(alice, 3);
  expect(joined).toEqual(ok('1', '1', 'room:1'));
  expect(state).toEqual(presenceState('1', 'room:1', everyone));
  expect(ownJoin).toEqual(presenceDiff('room:1', { alice: { metas: [meta('alice')] } }, {}));
  expect(metasOf(state, 'alice')[0]?.phx_ref).not.toBe(metasOf(state, 'bob')[0]?.phx_ref);

  // After a crash phoenix.js rejoins with a new join_ref: the state is pushed again, under it.
  alice.send(push('1', '2', 'room:1', 'crash'));
  expect(await alice.nextJson()).toEqual(phxError('1', 'room:1'));
  alice.send(join('3', 'room:1', { track: 'alice' }));
  expect(await nextJsons(alice, 3)).toEqual([
    ok('3', '3', 'room:1'),
    presenceState('3', 'room:1', everyone),
    presenceDiff('room:1', { alice: { metas: [meta('alice')] } }, {}),
  ]);

  // And after a leave and a new join.
  alice.send(leave('3', '4', 'room:1'));
  expect(await nextJsons(alice, 3)).toEqual([
    ok('3', '4', 'room:1'),
    phxClose('3', 'room:1'),
    serverPush('3', 'room:1', 'you_left', {}),
  ]);
  alice.send(join('5', 'room:1', { track: 'alice' }));
  expect((await nextJsons(alice, 3))[1]).toEqual(presenceState('5', 'room:1', everyone));
});

test('case 37: a second socket of one user adds a meta under the same key; closing it removes only that meta', async () => {
  const server = await harness.start();
  const observer = await harness.connect(server, { user: 'observer' });
  await joinOk(observer, '1', 'room:1');
  const tab1 = await harness.connect(server, { user: 'alice' });
  tab1.send(join('1', 'room:1', { track: 'alice' }));
  const firstMeta = metasOf(await observer.nextJson(), 'joins', 'alice')[0];

  const tab2 = await harness.connect(server, { user: 'alice' });
  tab2.send(join('1', 'room:1', { track: 'alice' }));
  const diff = await observer.nextJson();
  expect(diff).toEqual(presenceDiff('room:1', { alice: { metas: [meta('alice')] } }, {}));
  const secondMeta = metasOf(diff, 'joins', 'alice')[0];
  expect(secondMeta?.phx_ref).not.toBe(firstMeta?.phx_ref);
  const [, state] = await nextJsons(tab2, 2);
  expect(state).toEqual(presenceState('1', 'room:1', { alice: { metas: [firstMeta, secondMeta] } }));
  expect(server.socket.presence.list('room:1')).toEqual({ alice: { metas: [firstMeta, secondMeta] } });

  tab2.close();
  expect(await observer.nextJson()).toEqual(presenceDiff('room:1', {}, { alice: { metas: [secondMeta] } }));
  expect(server.socket.presence.list('room:1')).toEqual({ alice: { metas: [firstMeta] } });
});

test('case 38: a meta update is one diff joining the new meta (with phx_ref_prev) and leaving the old', async () => {
  const server = await harness.start();
  const observer = await harness.connect(server, { user: 'observer' });
  await joinOk(observer, '1', 'room:1');
  const alice = await harness.connect(server, { user: 'alice' });
  alice.send(join('1', 'room:1', { track: 'alice' }));
  await nextJsons(alice, 3);
  const [old] = metasOf(await observer.nextJson(), 'joins', 'alice');

  alice.send(push('1', '2', 'room:1', 'update_presence', { meta: { status: 'away' } }));
  const diff = await observer.nextJson();
  const updated = { status: 'away', phx_ref: expect.any(String), phx_ref_prev: old?.phx_ref };
  expect(diff).toEqual(presenceDiff('room:1', { alice: { metas: [updated] } }, { alice: { metas: [old] } }));
  expect(metasOf(diff, 'joins', 'alice')[0]?.phx_ref).not.toBe(old?.phx_ref);
  expect(server.socket.presence.list('room:1')).toEqual({ alice: { metas: [updated] } });
  await observer.expectSilence();
});
