/**
 * Dead-peer detection against the real server with a werift "browser": the server pings on
 * `events`; a peer that answers stays, a silent one is closed with `peer_timeout` while its user
 * channel stays joined (docs/webrtc.md §3).
 */
import { ErrorCode, LinkProbe, parseLinkProbe, WebRtcEvent } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../integration/phoenix-client.ts';
import { sleep, waitFor } from '../integration/wait-for.ts';
import type { BrowserPeer } from './browser-peer.ts';
import { useRtcServer } from './rtc-server.ts';

const INTERVAL_MS = 100;
const TIMEOUT_MS = 600;
const rtc = useRtcServer({ RTC_HEARTBEAT_INTERVAL_MS: String(INTERVAL_MS), RTC_PEER_TIMEOUT_MS: String(TIMEOUT_MS) });

/** Collects the probe ids the server sends; answers them when `answer` says so. */
function probes(peer: BrowserPeer, answer: () => boolean): number[] {
  const ids: number[] = [];
  peer.events.onMessage.subscribe((data) => {
    const probe = parseLinkProbe(JSON.parse(data.toString()));
    if (probe?.type !== LinkProbe.ping) return;
    ids.push(probe.id);
    if (answer()) peer.events.send(JSON.stringify({ type: LinkProbe.pong, id: probe.id }));
  });
  return ids;
}

async function openPeer(): Promise<{ peer: BrowserPeer; userId: string; channel: Channel }> {
  const { channel, userId } = await rtc.joinUserChannel();
  const peer = rtc.browserPeer(channel);
  expect((await peer.offer()).status).toBe('ok');
  await peer.bothOpen();
  return { peer, userId, channel };
}

describe('peer heartbeat', () => {
  it('keeps a peer that answers its pings, well past the timeout', async () => {
    const { peer, userId } = await openPeer();
    const pings = probes(peer, () => true);
    await sleep(TIMEOUT_MS * 3);
    expect(pings.length).toBeGreaterThanOrEqual(10);
    expect(pings).toEqual(pings.map((_, index) => (pings[0] ?? 0) + index));
    expect(rtc.serverPeerOf(userId).channels.size).toBe(2);
    // Each answered ping is timed: /metrics has their round trips.
    const metrics = await (await fetch(`${rtc.server.httpUrl}/metrics`)).text();
    const timed = Number(/^starcatch_peer_rtt_seconds_count (\d+)$/m.exec(metrics)?.[1]);
    expect(timed).toBeGreaterThanOrEqual(pings.length - 2);
    expect(peer.signals.filter((signal) => signal.event === WebRtcEvent.state)).not.toContainEqual(
      expect.objectContaining({ payload: expect.objectContaining({ state: 'closed' }) }),
    );
  });

  it('closes a peer that goes silent, tells the client why, and keeps the user channel', async () => {
    const { peer, userId, channel } = await openPeer();
    let answering = true;
    const pings = probes(peer, () => answering);
    await waitFor(() => pings.length >= 2, { what: 'two pings' });
    answering = false;
    const silentAt = performance.now();
    await waitFor(() => rtc.server.app.webrtc.peers.forUser(userId).length === 0, { what: 'the peer to be closed' });
    const detectedMs = performance.now() - silentAt;
    expect(detectedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - INTERVAL_MS);
    expect(detectedMs).toBeLessThan(TIMEOUT_MS + 4 * INTERVAL_MS);
    await waitFor(() =>
      peer.signals.some(
        (signal) =>
          signal.event === WebRtcEvent.state &&
          (signal.payload as { state?: string; reason?: string }).reason === ErrorCode.peerTimeout,
      ),
    );

    // The user channel is still joined: a new offer on it gets a new peer.
    const again = rtc.browserPeer(channel);
    expect((await again.offer()).status).toBe('ok');
    await again.bothOpen();
    expect(rtc.server.app.webrtc.peers.forUser(userId)).toHaveLength(1);
  });
});
