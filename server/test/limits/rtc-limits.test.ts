/**
 * Caps on the server's WebRTC peers, against the real server with werift "browsers": per user
 * (the oldest peer makes way), in total (the offer is refused), and the time a peer may take to
 * open both DataChannels.
 */
import { ErrorCode, Topic, WebRtcEvent } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { type Channel, join, push, recordEvents } from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import type { BrowserPeer } from '../rtc/browser-peer.ts';
import { useRtcServer } from '../rtc/rtc-server.ts';
import { createLoopbackOfferer } from '../support/loopback-offerer.ts';

const MAX_PER_USER = 2;
const MAX_TOTAL = 3;
const OPEN_TIMEOUT_MS = 1_000;

describe('WebRTC peer caps', () => {
  const rtc = useRtcServer({
    RTC_MAX_PEERS_PER_USER: String(MAX_PER_USER),
    RTC_MAX_PEERS: String(MAX_TOTAL),
    RTC_OPEN_TIMEOUT_MS: String(OPEN_TIMEOUT_MS),
  });

  /** A peer on `channel` offered and open at both ends. */
  async function openPeer(channel: Channel): Promise<BrowserPeer> {
    const peer = rtc.browserPeer(channel);
    expect((await peer.offer()).status).toBe('ok');
    await peer.bothOpen();
    return peer;
  }

  function bothOpen(peer: BrowserPeer): boolean {
    return peer.events.readyState === 'open' && peer.state.readyState === 'open';
  }

  it('closes the user’s oldest peer with too_many_peers when a newer tab offers past RTC_MAX_PEERS_PER_USER', async () => {
    const { token, user } = await rtc.server.signIn();
    const tabs: { channel: Channel; states: unknown[] }[] = [];
    for (let i = 0; i <= MAX_PER_USER; i++) {
      const socket = await rtc.sockets.open(rtc.server.socketUrl, { params: { token } });
      const channel = socket.channel(Topic.user(user.id));
      const states = recordEvents(channel, WebRtcEvent.state);
      await join(channel);
      tabs.push({ channel, states });
    }
    const other = await rtc.joinUserChannel();
    const otherPeer = await openPeer(other.channel);

    const peers: BrowserPeer[] = [];
    for (const tab of tabs.slice(0, MAX_PER_USER)) peers.push(await openPeer(tab.channel));
    const oldest = rtc.server.app.webrtc.peers.forUser(user.id)[0];
    const newest = tabs[MAX_PER_USER];
    if (!oldest || !newest) throw new Error('a peer per tab');
    const started = performance.now();
    peers.push(await openPeer(newest.channel));

    const first = tabs[0];
    if (!first) throw new Error('the oldest tab');
    await waitFor(
      () => first.states.some((state) => (state as { reason?: string }).reason === ErrorCode.tooManyPeers),
      {
        what: 'the oldest tab to hear too_many_peers',
      },
    );
    const elapsedMs = performance.now() - started;
    expect(first.states).toContainEqual({ state: 'closed', reason: ErrorCode.tooManyPeers });
    const left = rtc.server.app.webrtc.peers.forUser(user.id);
    expect(left).toHaveLength(MAX_PER_USER);
    expect(left.map((peer) => peer.id)).not.toContain(oldest.id);
    // The newer tabs and another user keep theirs.
    expect(peers.slice(1).every(bothOpen)).toBe(true);
    expect(bothOpen(otherPeer)).toBe(true);
    expect(rtc.serverPeerOf(other.userId).channels.size).toBe(2);
    console.info(
      `[figure] peer ${MAX_PER_USER + 1} of one user: oldest closed (too_many_peers) ${elapsedMs.toFixed(0)} ms after the offer`,
    );
  });

  it('refuses an offer past RTC_MAX_PEERS with webrtc_unavailable, and takes it once a peer has gone', async () => {
    const users = [];
    for (let i = 0; i < MAX_TOTAL; i++) {
      const user = await rtc.joinUserChannel();
      users.push({ ...user, peer: await openPeer(user.channel) });
    }
    const late = await rtc.joinUserChannel();
    const refused = await rtc.browserPeer(late.channel).offer();
    expect(refused).toMatchObject({ status: 'error', response: { reason: ErrorCode.webrtcUnavailable } });
    expect(rtc.server.app.webrtc.peers.size).toBe(MAX_TOTAL);
    expect(users.every((user) => bothOpen(user.peer))).toBe(true);

    const [leaving] = users;
    if (!leaving) throw new Error('a user with a peer');
    expect((await push(leaving.channel, WebRtcEvent.close, {})).status).toBe('ok');
    await waitFor(() => rtc.server.app.webrtc.peers.size < MAX_TOTAL, { what: 'a peer to close' });
    await openPeer(late.channel);
    console.info(`[figure] peer ${MAX_TOTAL + 1} of the server: offer refused (webrtc_unavailable)`);
  });

  it('closes a peer that never opens its DataChannels after RTC_OPEN_TIMEOUT_MS; an open peer stays', async () => {
    const open = await rtc.joinUserChannel();
    const openPeerOfOther = await openPeer(open.channel);
    const stuck = await rtc.joinUserChannel();
    const states = recordEvents(stuck.channel, WebRtcEvent.state);
    // An offer with no candidates, whose answer is never applied: ICE has nothing to connect.
    const { pc } = createLoopbackOfferer();
    try {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const sdp = offer.sdp
        .split('\r\n')
        .filter((line) => !line.startsWith('a=candidate:'))
        .join('\r\n');
      const started = performance.now();
      expect((await push(stuck.channel, WebRtcEvent.offer, { sdp, type: 'offer' })).status).toBe('ok');
      expect(rtc.server.app.webrtc.peers.forUser(stuck.userId)).toHaveLength(1);

      await waitFor(() => states.some((state) => (state as { reason?: string }).reason === ErrorCode.peerTimeout), {
        what: 'the stuck peer to be closed with peer_timeout',
        timeoutMs: OPEN_TIMEOUT_MS * 4,
      });
      const elapsedMs = performance.now() - started;
      expect(elapsedMs).toBeGreaterThanOrEqual(OPEN_TIMEOUT_MS - 50);
      expect(rtc.server.app.webrtc.peers.forUser(stuck.userId)).toHaveLength(0);
      // The open peer is past the same timeout and untouched.
      expect(bothOpen(openPeerOfOther)).toBe(true);
      expect(rtc.serverPeerOf(open.userId).channels.size).toBe(2);
      console.info(
        `[figure] peer that never opened: closed (peer_timeout) ${elapsedMs.toFixed(0)} ms after its offer (RTC_OPEN_TIMEOUT_MS=${OPEN_TIMEOUT_MS})`,
      );
    } finally {
      await pc.close().catch(() => undefined);
    }
  });
});
