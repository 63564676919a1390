/**
 * The README's channel and channel test, as written there, through the package's public exports:
 * `@starcatch/phoenix` and `@starcatch/phoenix/testing`, resolved from the build.
 */
import { type ChannelHandler, error, ok, type Payload, PhoenixSocket, v1JsonSerializer } from '@starcatch/phoenix';
import { BroadcastProbe, connectTestClient } from '@starcatch/phoenix/testing';
import { describe, expect, it } from 'vitest';

interface Assigns {
  userId: string;
}

const blocked = new Set(['u1→u3']);
const isBlocked = (userId: string, payload: Payload) => blocked.has(`${(payload as { from: string }).from}→${userId}`);

const roomChannel: ChannelHandler<Assigns> = {
  join: (topic) => (topic === 'room:1' ? ok({ joined: topic }) : error({ reason: 'unauthorized' })),
  afterJoin(channel) {
    channel.presence.track(channel.assigns.userId, { online_at: Date.now() });
    channel.push('presence_state', channel.presence.list());
  },
  handleIn(event, payload, channel) {
    if (event !== 'shout') return error({ reason: 'unknown event' });
    channel.broadcast('shout', { from: channel.assigns.userId, body: String((payload as { body?: unknown }).body) });
    return ok();
  },
  intercept: ['shout'],
  handleOut(event, payload, channel) {
    if (!isBlocked(channel.assigns.userId, payload)) channel.push(event, payload);
  },
};

const newSocket = () =>
  new PhoenixSocket<Assigns>({ connect: () => ({ ok: false }), channels: { 'room:*': roomChannel } });

describe('the testing helpers, as the README uses them', () => {
  it('shouts to the room', async () => {
    const socket = newSocket();
    const client = connectTestClient(socket, { userId: 'u1' });
    const probe = new BroadcastProbe(socket, 'room:1');
    await client.subscribeAndJoin('room:1');
    await client.assertPush('presence_state');

    const ref = client.push('room:1', 'shout', { body: 'hi' });
    await client.assertReply(ref, 'ok');
    await probe.assertBroadcast('shout', { from: 'u1', body: 'hi' });
    await client.assertPush('shout', { body: 'hi' });
  });

  it('intercepts per subscriber, refuses joins and unknown events, and speaks V1 when asked', async () => {
    const socket = newSocket();
    const shouter = connectTestClient(socket, { userId: 'u1' });
    const friend = connectTestClient(socket, { userId: 'u2' }, { serializer: v1JsonSerializer });
    const stranger = connectTestClient(socket, { userId: 'u3' });
    for (const client of [shouter, friend, stranger]) await client.subscribeAndJoin('room:1');
    await friend.assertPush('presence_diff', (diff) => Object.keys((diff as { joins: object }).joins).includes('u3'));

    await shouter.assertReply(shouter.push('room:1', 'shout', { body: 'hi' }), 'ok');
    await friend.assertPush('shout', { from: 'u1' });
    await stranger.refutePush('shout');

    await shouter.assertReply(shouter.push('room:1', 'dance'), 'error', { reason: 'unknown event' });
    const refused = await shouter.join('room:2');
    expect(refused.reply).toEqual({ status: 'error', response: { reason: 'unauthorized' } });
  });
});
