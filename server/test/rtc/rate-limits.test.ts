/**
 * The per-user signaling budgets, shrunk so a test exhausts them in a few pushes: over budget
 * gets `rate_limited`; ignoring that closes the peer, never the user channel.
 */
import { ErrorCode, WebRtcEvent } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { push } from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import { useRtcServer } from './rtc-server.ts';

const ICE_BURST = 3;
const SIGNALING_BURST = 3;
const STRIKES = 2;

const rtc = useRtcServer({
  RTC_ICE_BURST: String(ICE_BURST),
  RTC_ICE_PER_MINUTE: '1',
  RTC_SIGNALING_BURST: String(SIGNALING_BURST),
  RTC_SIGNALING_PER_MINUTE: '1',
  RTC_ABUSE_STRIKES_PER_MINUTE: String(STRIKES),
});
const { joinUserChannel, browserPeer } = rtc;

const END_OF_CANDIDATES = { candidate: '', sdpMid: '0', sdpMLineIndex: 0 };
const OK = { status: 'ok', response: {} };
const RATE_LIMITED = { status: 'error', response: { reason: ErrorCode.rateLimited, message: expect.any(String) } };

describe('signaling rate limits', () => {
  it('refuses ICE over budget, then closes the peer on sustained abuse; the channel stays joined', async () => {
    const { userId, channel } = await joinUserChannel();
    const peer = browserPeer(channel);
    await peer.offer();
    await peer.bothOpen();
    // The browser peer's own trickled candidates may already have spent some of the budget.
    const replies = [];
    for (let i = 0; i < ICE_BURST + STRIKES + 1; i++)
      replies.push(await push(channel, WebRtcEvent.ice, END_OF_CANDIDATES));

    const limited = replies.filter((reply) => reply.status === 'error');
    expect(limited.length).toBeGreaterThanOrEqual(STRIKES + 1);
    for (const reply of limited) expect(reply).toEqual(RATE_LIMITED);
    expect(peer.signals.map((signal) => signal.payload)).toContainEqual({
      state: 'closed',
      reason: ErrorCode.rateLimited,
    });
    expect(rtc.server.app.webrtc.peers.forUser(userId)).toHaveLength(0);
    expect(channel.state).toBe('joined');
    await waitFor(() => peer.events.readyState === 'closed', { what: 'the browser to see its channels close' });

    // Signaling has its own budget. (A new peer's own candidates would be refused until the
    // strikes refill, and each one would close that peer again.)
    expect(await push(channel, WebRtcEvent.close, {})).toEqual(OK);
  });

  it('refuses offers and closes over the signaling budget', async () => {
    const { channel } = await joinUserChannel();
    const replies = [];
    for (let i = 0; i < SIGNALING_BURST + 1; i++) replies.push(await push(channel, WebRtcEvent.close, {}));

    expect(replies).toEqual([...Array<unknown>(SIGNALING_BURST).fill(OK), RATE_LIMITED]);
    expect(await push(channel, WebRtcEvent.offer, { sdp: 'v=0', type: 'offer' })).toEqual(RATE_LIMITED);
    expect(channel.state).toBe('joined');
  });
});
