import { describe, expect, it } from 'vitest';
import { terminations } from '../support/protocol-test-server.ts';
import { FAST_TIMERS, join, outcome, push, recordMessages, rejoined } from './phoenix-client.ts';
import { useProbeServer } from './probe-server.ts';
import { QUIET_WINDOW_MS, sleep, waitFor } from './wait-for.ts';

/** The `crash` push never gets a reply (the channel dies), so its timeout is kept short. */
const CRASH_PUSH_TIMEOUT_MS = 200;

const probe = useProbeServer();
const { openSocket } = probe;

function terminationsOf(topic: string): string[] {
  return terminations.filter((entry) => entry.topic === topic).map((entry) => entry.reason);
}

describe('phoenix.js rejoin after phx_error', () => {
  it('rejoins a crashed channel with a new join_ref, and the new join works', async () => {
    const socket = await openSocket('crasher');
    const channel = socket.channel('room:crash');
    const errors: unknown[] = [];
    channel.onError((reason: unknown) => {
      errors.push(reason);
    });
    await join(channel);
    const messages = recordMessages(socket);
    const firstJoinRef = channel.joinRef();
    const rejoinDelay = FAST_TIMERS.rejoinAfterMs();

    const crashedAt = Date.now();
    channel.push('crash', {}, CRASH_PUSH_TIMEOUT_MS);
    const secondJoinRef = await rejoined(channel, firstJoinRef);

    expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(rejoinDelay - 5);
    expect(errors).toEqual([{ reason: 'channel_crash' }]);
    expect(secondJoinRef).not.toBe(firstJoinRef);
    // phx_error carries ref = join_ref of the crashed join; the new join's reply has join_ref == ref.
    expect(messages.map(({ join_ref, ref, event, payload }) => ({ join_ref, ref, event, payload }))).toEqual([
      { join_ref: firstJoinRef, ref: firstJoinRef, event: 'phx_error', payload: { reason: 'channel_crash' } },
      { join_ref: secondJoinRef, ref: secondJoinRef, event: 'phx_reply', payload: { status: 'ok', response: {} } },
    ]);
    expect(await push(channel, 'echo', { alive: true })).toEqual({ status: 'ok', response: { alive: true } });
    expect(terminationsOf('room:crash')).toEqual(['crash']);
  });

  it('rejoins again after a second crash', async () => {
    const socket = await openSocket('crasher-twice');
    const channel = socket.channel('room:crash-twice');
    await join(channel);

    let joinRef = channel.joinRef();
    for (let crash = 1; crash <= 2; crash++) {
      channel.push('crash', {}, CRASH_PUSH_TIMEOUT_MS);
      joinRef = await rejoined(channel, joinRef);
      expect(await push(channel, 'echo', { crash })).toEqual({ status: 'ok', response: { crash } });
    }
    expect(terminationsOf('room:crash-twice')).toEqual(['crash', 'crash']);
  });
});

describe('phoenix.js after a server-side stop', () => {
  it('gets the reply, then phx_close, and never rejoins', async () => {
    const socket = await openSocket('stopper');
    const messages = recordMessages(socket);
    const channel = socket.channel('room:stop');
    const order: string[] = [];
    channel.onClose(() => {
      order.push('close');
    });
    channel.onError(() => {
      order.push('error');
    });
    await join(channel);
    const joinRef = channel.joinRef();

    // Recorded in the receive hook itself: an await would resume only after the close was handled too.
    const stopPush = channel.push('stop', {}).receive('ok', () => {
      order.push('reply ok');
    });
    expect(await outcome(stopPush)).toEqual({ status: 'ok', response: { stopping: true } });
    await waitFor(() => order.includes('close'), { what: 'onClose' });
    await sleep(QUIET_WINDOW_MS);

    expect(order).toEqual(['reply ok', 'close']);
    expect(channel.state).toBe('closed');
    expect(socket.channels).not.toContain(channel);
    // Exactly: join reply, stop reply, phx_close. No second join reply, so no rejoin was attempted.
    expect(messages.map(({ join_ref, ref, event }) => [join_ref, ref, event])).toEqual([
      [joinRef, joinRef, 'phx_reply'],
      [joinRef, expect.any(String), 'phx_reply'],
      [joinRef, joinRef, 'phx_close'],
    ]);
    expect(terminationsOf('room:stop')).toEqual(['stop']);
  });

  it('closes on a phx_close that comes without a reply', async () => {
    const socket = await openSocket('silent-stopper');
    const channel = socket.channel('room:stop-silent');
    let closes = 0;
    channel.onClose(() => {
      closes++;
    });
    await join(channel);

    channel.push('stop_silent', {});
    await waitFor(() => closes === 1, { what: 'onClose' });
    await sleep(QUIET_WINDOW_MS);

    expect(closes).toBe(1);
    expect(channel.state).toBe('closed');
    expect(socket.channels).not.toContain(channel);
    expect(terminationsOf('room:stop-silent')).toEqual(['stop']);
  });

  it('leaves the other channels of the socket joined', async () => {
    const socket = await openSocket('stopper-of-one');
    const stopped = socket.channel('room:stop-one');
    const kept = socket.channel('room:keep-one');
    await Promise.all([join(stopped), join(kept)]);

    await push(stopped, 'stop', {});
    await waitFor(() => stopped.state === 'closed', { what: 'the stopped channel to close' });

    expect(kept.state).toBe('joined');
    expect(await push(kept, 'echo', { kept: true })).toEqual({ status: 'ok', response: { kept: true } });
  });
});

describe('phoenix.js leave', () => {
  it('closes locally at once and the server terminates the channel with reason leave', async () => {
    const socket = await openSocket('leaver');
    const channel = socket.channel('room:leave');
    await join(channel);

    channel.leave();
    // 1.8.16 closes the channel before the server has answered.
    expect(channel.state).toBe('closed');
    await waitFor(() => terminationsOf('room:leave').length === 1, { what: 'the server-side terminate' });
    expect(terminationsOf('room:leave')).toEqual(['leave']);
  });
});

describe('phoenix.js with two Channel instances of one topic', () => {
  it('leaves the first when the second joins; the second works and the first stays closed', async () => {
    const socket = await openSocket('twice');
    const first = socket.channel('room:twice');
    await join(first);
    const firstJoinRef = first.joinRef();
    const messages = recordMessages(socket);

    // phoenix.js sends phx_leave for the joined instance before the new phx_join (leaveOpenTopic).
    const second = socket.channel('room:twice');
    await join(second);
    expect(first.state).toBe('closed');
    expect(second.state).toBe('joined');
    expect(await push(second, 'echo', { from: 'second' })).toEqual({ status: 'ok', response: { from: 'second' } });
    await sleep(QUIET_WINDOW_MS);

    expect(first.state).toBe('closed');
    expect(socket.channels).toEqual([second]);
    // The server still answers the leave, closes the old join and sends what `terminate` pushed;
    // phoenix.js drops all three (stale join_ref).
    expect(messages.filter((message) => message.join_ref === firstJoinRef).map((message) => message.event)).toEqual([
      'phx_reply',
      'phx_close',
      'you_left',
    ]);
    expect(terminationsOf('room:twice')).toEqual(['leave']);
  });
});
