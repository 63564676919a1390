import {
  AlreadyTrackedError,
  type Broadcast,
  LocalPresenceTracker,
  LocalPubSub,
  type PresenceDiff,
  type Subscriber,
} from '@starcatch/phoenix';
import { beforeEach, describe, expect, it } from 'vitest';

/** Collects the presence_diff broadcasts of one topic. */
function diffsOf(pubsub: LocalPubSub, topic: string): PresenceDiff[] {
  const diffs: PresenceDiff[] = [];
  const probe: Subscriber = { id: 'probe', deliver: (b: Broadcast) => diffs.push(b.payload as PresenceDiff) };
  pubsub.subscribe(topic, probe);
  return diffs;
}

describe('LocalPresenceTracker', () => {
  let pubsub: LocalPubSub;
  let presence: LocalPresenceTracker;
  let diffs: PresenceDiff[];

  beforeEach(() => {
    pubsub = new LocalPubSub();
    presence = new LocalPresenceTracker(pubsub);
    diffs = diffsOf(pubsub, 'lobby');
  });

  it('lists one key with a meta per owner, each with a unique phx_ref', () => {
    const tabA = presence.track('tab-a', 'lobby', 'u1', { nickname: 'Ada' });
    const tabB = presence.track('tab-b', 'lobby', 'u1', { nickname: 'Ada' });
    presence.track('tab-c', 'lobby', 'u2', { nickname: 'Bo' });
    expect(tabA).not.toBe(tabB);
    const state = presence.list('lobby');
    expect(Object.keys(state)).toEqual(['u1', 'u2']);
    expect(state.u1?.metas.map((m) => m.phx_ref)).toEqual([tabA, tabB]);
    expect(state.u1?.metas[0]).toMatchObject({ nickname: 'Ada' });
  });

  it('broadcasts a join diff holding only the new meta', () => {
    presence.track('tab-a', 'lobby', 'u1', { n: 1 });
    const ref = presence.track('tab-b', 'lobby', 'u1', { n: 2 });
    expect(diffs[1]).toEqual({ joins: { u1: { metas: [{ n: 2, phx_ref: ref }] } }, leaves: {} });
  });

  it('refuses to track the same key twice for one owner', () => {
    presence.track('tab-a', 'lobby', 'u1', {});
    expect(() => presence.track('tab-a', 'lobby', 'u1', {})).toThrow(AlreadyTrackedError);
  });

  it('update replaces the meta: one diff with the new meta (phx_ref_prev) in joins and the old in leaves', () => {
    const first = presence.track('tab-a', 'lobby', 'u1', { status: 'idle' });
    const second = presence.update('tab-a', 'lobby', 'u1', { status: 'playing' });
    expect(diffs.at(-1)).toEqual({
      joins: { u1: { metas: [{ status: 'playing', phx_ref: second, phx_ref_prev: first }] } },
      leaves: { u1: { metas: [{ status: 'idle', phx_ref: first }] } },
    });
    expect(presence.list('lobby').u1?.metas).toHaveLength(1);
  });

  it('untrackAll removes every meta of an owner, on every topic, and reports the leaves', () => {
    const roomDiffs = diffsOf(pubsub, 'room:1');
    const lobbyRef = presence.track('tab-a', 'lobby', 'u1', {});
    presence.track('tab-b', 'lobby', 'u1', {});
    presence.track('tab-a', 'room:1', 'u1', {});
    presence.untrackAll('tab-a');
    expect(diffs.at(-1)).toEqual({ joins: {}, leaves: { u1: { metas: [{ phx_ref: lobbyRef }] } } });
    expect(roomDiffs.at(-1)?.leaves.u1?.metas).toHaveLength(1);
    expect(presence.list('lobby').u1?.metas).toHaveLength(1);
    expect(presence.list('room:1')).toEqual({});
  });

  it('untrack of something not tracked broadcasts nothing', () => {
    presence.untrack('nobody', 'lobby', 'u9');
    presence.untrackAll('nobody');
    expect(diffs).toEqual([]);
  });
});
