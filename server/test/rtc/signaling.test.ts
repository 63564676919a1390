/**
 * WebRTC signaling on `user:<id>` against the real server on port 0, with werift peers playing
 * the browser and the official phoenix client carrying the signaling. At most two peers connect
 * at a time; every peer and socket is closed after each test.
 */
import { ApiPath, DataChannelLabel, ErrorCode, WebRtcEvent } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { type InboundMessage, push } from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import { useRtcServer } from './rtc-server.ts';

/** The server must drop a closed socket's peer this fast (docs/webrtc.md §3). */
const PEER_GONE_WITHIN_MS = 1_000;

const rtc = useRtcServer();
const { joinUserChannel, browserPeer, serverPeerOf, sockets } = rtc;
const peersOf = (userId: string) => rtc.server.app.webrtc.peers.forUser(userId);

const OK = { status: 'ok', response: {} };
const END_OF_CANDIDATES = { candidate: '', sdpMid: '0', sdpMLineIndex: 0 };
/** What Chromium sends when it hides its addresses behind mDNS names. */
const MDNS_CANDIDATE = {
  candidate: 'candidate:9 1 udp 2122260223 4f1c9a2e-8d3b-4c5e-9f0a-1b2c3d4e5f60.local 54321 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'abcd',
};
/** Far above a loopback round trip, far below werift's 10 s mDNS timeout. */
const QUICK_REPLY_MS = 1_000;

/** Where in the wire order the first reply to a push and the first push of `event` arrived. */
function positionOf(messages: readonly InboundMessage[], what: 'first reply' | string): number {
  return messages.findIndex((m) =>
    what === 'first reply' ? m.event === 'phx_reply' && m.ref !== m.join_ref : m.event === what,
  );
}

describe('webrtc:offer', () => {
  it('replies ok, then pushes the answer, then trickles candidates; both channels open', async () => {
    const { channel, messages } = await joinUserChannel();
    const peer = browserPeer(channel);

    const startedAt = performance.now();
    const reply = await peer.offer();
    await peer.bothOpen();
    const openMs = performance.now() - startedAt;
    console.log(`offer → both DataChannels open (first peer of the process): ${openMs.toFixed(0)} ms`);

    expect(reply).toEqual({ status: 'ok', response: {} });
    // The offer is this socket's first push, so the first reply is the offer's.
    const replyAt = positionOf(messages, 'first reply');
    const answerAt = positionOf(messages, WebRtcEvent.answer);
    const firstIceAt = positionOf(messages, WebRtcEvent.ice);
    expect(replyAt).toBeGreaterThanOrEqual(0);
    expect(answerAt).toBeGreaterThan(replyAt);
    expect(firstIceAt).toBeGreaterThan(answerAt);
    expect(positionOf(messages, WebRtcEvent.state)).toBeGreaterThan(answerAt);
    const answer = messages.find((m) => m.event === WebRtcEvent.answer)?.payload as { sdp: string; type: string };
    expect(answer.type).toBe('answer');
    expect(answer.sdp).toMatch(/^m=application /m);
    const firstIce = messages.find((m) => m.event === WebRtcEvent.ice)?.payload;
    expect(firstIce).toMatchObject({ candidate: expect.stringMatching(/^candidate:/), sdpMLineIndex: 0 });
    expect(peer.signals.filter((s) => s.event === WebRtcEvent.state).map((s) => s.payload)).toContainEqual({
      state: 'connected',
    });
  });

  it('registers the peer with both channels as the browser declared them', async () => {
    const { userId, channel } = await joinUserChannel();
    const peer = browserPeer(channel);
    const startedAt = performance.now();
    await peer.offer();
    await peer.bothOpen();
    console.log(`offer → both DataChannels open (server warm): ${(performance.now() - startedAt).toFixed(0)} ms`);
    await waitFor(() => serverPeerOf(userId).channels.size === 2, { what: 'the server to see both channels' });

    const serverPeer = serverPeerOf(userId);
    const events = serverPeer.channels.get(DataChannelLabel.events);
    const state = serverPeer.channels.get(DataChannelLabel.state);
    expect({ ordered: events?.ordered, maxRetransmits: events?.maxRetransmits }).toEqual({
      ordered: true,
      maxRetransmits: null,
    });
    expect({ ordered: state?.ordered, maxRetransmits: state?.maxRetransmits }).toEqual({
      ordered: false,
      maxRetransmits: 0,
    });
    const health = (await (await fetch(`${rtc.server.httpUrl}${ApiPath.health}`)).json()) as { peers: number };
    expect(health.peers).toBe(1);

    const arrived = peer.nextMessage(peer.state);
    expect(state?.send(new Uint8Array([1, 2, 3]))).toBe(true);
    expect([...((await arrived) as Buffer)]).toEqual([1, 2, 3]);
    const text = peer.nextMessage(peer.events);
    expect(events?.send('{"type":"hello"}')).toBe(true);
    expect(await text).toBe('{"type":"hello"}');
  });

  it('answers malformed offers with an error reply and stays joined', async () => {
    const { channel } = await joinUserChannel();
    const cases: [unknown, string][] = [
      [{ type: 'offer' }, 'sdp'],
      [{ sdp: '', type: 'offer' }, 'sdp is empty'],
      [{ sdp: 'v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n', type: 'answer' }, 'type'],
      [{ sdp: 'v=0\r\nm=audio 9 RTP/AVP 0\r\n', type: 'offer' }, 'no DataChannel'],
      // phoenix.js turns a null payload into {}; strings and arrays reach the server as they are.
      ['offer', 'expected object'],
      [[1, 2], 'expected object'],
    ];
    for (const [payload, message] of cases) {
      const reply = await push(channel, WebRtcEvent.offer, payload as object);
      expect(reply, JSON.stringify(payload)).toEqual({
        status: 'error',
        response: { reason: ErrorCode.invalidSdp, message: expect.stringContaining(message) },
      });
    }
    expect(channel.state).toBe('joined');
    expect(rtc.server.app.webrtc.peers.size).toBe(0);
  });

  it('refuses an SDP the engine cannot parse, keeps the channel, and accepts a good offer after it', async () => {
    const { channel } = await joinUserChannel();
    const garbage = 'v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\nm=application nonsense\r\na=garbage\r\n';

    const reply = await push(channel, WebRtcEvent.offer, { sdp: garbage, type: 'offer' });

    expect(reply).toMatchObject({ status: 'error', response: { reason: ErrorCode.invalidSdp } });
    expect(channel.state).toBe('joined');
    expect(rtc.server.app.webrtc.peers.size).toBe(0);
    const peer = browserPeer(channel);
    expect(await peer.offer()).toEqual({ status: 'ok', response: {} });
    await peer.bothOpen();
  });

  it('replaces the peer on a new offer: the old one is closed, the registry holds the new one', async () => {
    const { userId, channel } = await joinUserChannel();
    const first = browserPeer(channel);
    await first.offer();
    await first.bothOpen();
    const old = serverPeerOf(userId);
    await first.close();

    const second = browserPeer(channel);
    expect(await second.offer()).toEqual({ status: 'ok', response: {} });
    await second.bothOpen();

    const current = serverPeerOf(userId);
    expect(current.id).not.toBe(old.id);
    expect(rtc.server.app.webrtc.peers.get(old.id)).toBeUndefined();
    expect(old.channels.size).toBe(0);
    expect(rtc.server.app.webrtc.peers.size).toBe(1);
  });
});

describe('webrtc:ice from the client', () => {
  it('is refused with no_webrtc_session before any offer', async () => {
    const { channel } = await joinUserChannel();
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0' };

    expect(await push(channel, WebRtcEvent.ice, candidate)).toEqual({
      status: 'error',
      response: { reason: ErrorCode.noWebRtcSession, message: expect.any(String) },
    });
    expect(channel.state).toBe('joined');
  });

  it('takes end-of-candidates and ignores .local candidates, before and after the answer', async () => {
    const { channel } = await joinUserChannel();
    const peer = browserPeer(channel);
    const { reply: offered } = await peer.sendOffer();
    // Sent before the answer: queued behind it and acknowledged at once.
    const early = [push(channel, WebRtcEvent.ice, MDNS_CANDIDATE), push(channel, WebRtcEvent.ice, END_OF_CANDIDATES)];

    expect(await offered).toEqual(OK);
    expect(await Promise.all(early)).toEqual([OK, OK]);
    await peer.bothOpen();

    // After the answer a reply waits for the engine: werift would spend 10 s on an mDNS lookup.
    const startedAt = performance.now();
    expect(await push(channel, WebRtcEvent.ice, MDNS_CANDIDATE)).toEqual(OK);
    expect(await push(channel, WebRtcEvent.ice, { candidate: '' })).toEqual(OK);
    expect(performance.now() - startedAt).toBeLessThan(QUICK_REPLY_MS);
  });

  it('answers malformed candidates with an error reply and stays joined', async () => {
    const { channel } = await joinUserChannel();
    const peer = browserPeer(channel);
    await peer.offer();
    await peer.bothOpen();
    const cases: [unknown, string][] = [
      [{ sdpMid: '0' }, 'candidate'],
      [{ candidate: 42, sdpMid: '0' }, 'candidate'],
      [{ candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' }, 'sdpMid or sdpMLineIndex'],
      [{ candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMLineIndex: -1 }, 'sdpMLineIndex'],
      ['candidate', 'expected object'],
      [[], 'expected object'],
    ];
    for (const [payload, message] of cases) {
      const reply = await push(channel, WebRtcEvent.ice, payload as object);
      expect(reply, JSON.stringify(payload)).toEqual({
        status: 'error',
        response: { reason: ErrorCode.invalidCandidate, message: expect.stringContaining(message) },
      });
    }
    // Well-formed, but for an m-line the session does not have: the engine refuses it.
    const unknownMid = await push(channel, WebRtcEvent.ice, {
      candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
      sdpMid: 'nope',
    });
    expect(unknownMid).toMatchObject({ status: 'error', response: { reason: ErrorCode.invalidCandidate } });
    expect(channel.state).toBe('joined');
    expect(peer.pc.connectionState).toBe('connected');
  });
});

describe('peer lifetime', () => {
  it('webrtc:close closes the peer and replies ok, with or without a peer', async () => {
    const { userId, channel } = await joinUserChannel();
    const peer = browserPeer(channel);
    await peer.offer();
    await peer.bothOpen();
    expect(peersOf(userId)).toHaveLength(1);

    expect(await push(channel, WebRtcEvent.close, {})).toEqual({ status: 'ok', response: {} });
    expect(peersOf(userId)).toHaveLength(0);
    expect(await push(channel, WebRtcEvent.close, {})).toEqual({ status: 'ok', response: {} });
    expect(channel.state).toBe('joined');
  });

  it('closes the peer within a second of the socket closing', async () => {
    const { userId, channel, socket } = await joinUserChannel();
    const peer = browserPeer(channel);
    await peer.offer();
    await peer.bothOpen();
    expect(peersOf(userId)).toHaveLength(1);

    await sockets.disconnect(socket);

    await waitFor(() => peersOf(userId).length === 0, {
      what: 'the peer to close with its socket',
      timeoutMs: PEER_GONE_WITHIN_MS,
    });
  });

  it('closes the peer when the client leaves the user channel', async () => {
    const { userId, channel } = await joinUserChannel();
    const peer = browserPeer(channel);
    await peer.offer();
    await peer.bothOpen();

    channel.leave();

    await waitFor(() => peersOf(userId).length === 0, {
      what: 'the peer to close with its channel',
      timeoutMs: PEER_GONE_WITHIN_MS,
    });
  });
});
