import { describe, expect, it } from 'vitest';
import { type Channel, join, push, recordEvents, recordMessages } from './phoenix-client.ts';
import { useProbeServer } from './probe-server.ts';
import { waitFor } from './wait-for.ts';

const probe = useProbeServer();
const { openSocket } = probe;

/** A user's socket joined to `topic`. */
async function joinAs(user: string, topic: string): Promise<Channel> {
  const socket = await openSocket(user);
  const channel = socket.channel(topic);
  await join(channel);
  return channel;
}

/**
 * The probe channel broadcasts before it replies, and local delivery is synchronous, so once the
 * sender's reply is in, every frame of that broadcast has been written. A round trip on each
 * other socket then flushes what they were sent.
 */
async function flush(...channels: Channel[]): Promise<void> {
  await Promise.all(channels.map((channel) => push(channel, 'echo', {})));
}

describe('phoenix.js with broadcast and broadcastFrom', () => {
  it('broadcast reaches every subscriber of the topic, the sender included, exactly once', async () => {
    const sender = await joinAs('ann', 'room:shouts');
    const listener = await joinAs('ben', 'room:shouts');
    const elsewhere = await joinAs('cid', 'room:elsewhere');
    const heard = [sender, listener, elsewhere].map((channel) => recordEvents(channel, 'shout'));

    expect(await push(sender, 'broadcast', { event: 'shout', payload: { n: 1 } })).toEqual({
      status: 'ok',
      response: {},
    });
    await flush(sender, listener, elsewhere);

    expect(heard).toEqual([[{ n: 1 }], [{ n: 1 }], []]);
  });

  it('broadcastFrom reaches every subscriber except the sender', async () => {
    const sender = await joinAs('dot', 'room:whispers');
    const first = await joinAs('eve', 'room:whispers');
    const second = await joinAs('fox', 'room:whispers');
    const heard = [sender, first, second].map((channel) => recordEvents(channel, 'whisper'));

    expect(await push(sender, 'broadcast_from', { event: 'whisper', payload: { n: 2 } })).toEqual({
      status: 'ok',
      response: {},
    });
    await waitFor(() => heard[1]?.length === 1 && heard[2]?.length === 1, { what: 'both listeners to hear it' });
    await flush(sender, first, second);

    expect(heard).toEqual([[], [{ n: 2 }], [{ n: 2 }]]);
  });

  it('broadcastFrom excludes only the sending channel, not another socket of the same user', async () => {
    const sender = await joinAs('gus', 'room:same-user');
    const otherTab = await joinAs('gus', 'room:same-user');
    const heard = [sender, otherTab].map((channel) => recordEvents(channel, 'sync'));

    await push(sender, 'broadcast_from', { event: 'sync', payload: { tab: 1 } });
    await flush(sender, otherTab);

    expect(heard).toEqual([[], [{ tab: 1 }]]);
  });

  it('sends broadcasts with a null join_ref and null ref', async () => {
    const sender = await joinAs('hal', 'room:frames');
    const listener = await joinAs('ivy', 'room:frames');
    const socket = await openSocket('jay');
    const watcher = socket.channel('room:frames');
    await join(watcher);
    const messages = recordMessages(socket);

    await push(sender, 'broadcast', { event: 'news', payload: { headline: 'hi' } });
    await flush(listener, watcher);

    expect(messages.filter((message) => message.event === 'news')).toEqual([
      { join_ref: null, ref: null, topic: 'room:frames', event: 'news', payload: { headline: 'hi' } },
    ]);
  });
});
