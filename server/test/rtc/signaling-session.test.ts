/**
 * The signaling rules on `user:<id>` with a scripted engine (`FakePeer`): orderings and failure
 * paths that a real connection cannot hit on demand. ChannelTest style, no network.
 */

import { PhoenixSocket } from '@starcatch/phoenix';
import { connectTestClient, type TestClient } from '@starcatch/phoenix/testing';
import { DataChannelLabel, ErrorCode, type User, WebRtcEvent } from '@starcatch/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SocketAssigns } from '../../src/channels/socket-assigns.ts';
import { createUserChannel } from '../../src/channels/user-channel.ts';
import type { OpenPeer } from '../../src/rtc/peer-registry.ts';
import { WebRtcSignaling } from '../../src/rtc/webrtc-signaling.ts';
import { waitFor } from '../integration/wait-for.ts';
import { FAKE_ANSWER_SDP, FakePeerFactory, HOST_CANDIDATE } from './fake-peer.ts';

const ada: User = { id: 'u-ada', nickname: 'Ada', color: '#ff6b6b' };
const TOPIC = `user:${ada.id}`;
const OFFER = { sdp: 'v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n', type: 'offer' };
/** More microtask turns than any reply path takes; the answer waits for a macrotask. */
const MICROTASK_TURNS = 50;
const GENEROUS = { burst: 100, perMinute: 1_000, strikesPerMinute: 100 };

let peers: FakePeerFactory;
let webrtc: WebRtcSignaling;
let client: TestClient<SocketAssigns>;

beforeEach(async () => {
  peers = new FakePeerFactory();
  webrtc = new WebRtcSignaling({
    createPeer: peers.create,
    signalingLimit: GENEROUS,
    iceLimit: GENEROUS,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  const socket = new PhoenixSocket<SocketAssigns>({
    connect: () => ({ ok: true, assigns: { user: ada } }),
    channels: {
      'user:*': createUserChannel({
        openSignaling: (userId, connectionId, push) => webrtc.openSession(userId, connectionId, push),
      }),
    },
  });
  client = connectTestClient(socket, { user: ada });
  await client.subscribeAndJoin(TOPIC);
});

/** Event names of the frames not yet consumed, replies as `reply:<status>`. */
function wireOrder(): string[] {
  return client.unconsumed.map((m) =>
    m.event === 'phx_reply' ? `reply:${(m.payload as { status: string }).status}` : m.event,
  );
}

async function negotiated(): Promise<void> {
  await client.assertReply(client.push(TOPIC, WebRtcEvent.offer, OFFER), 'ok', {});
  await client.assertPush(WebRtcEvent.answer, { sdp: FAKE_ANSWER_SDP, type: 'answer' });
}

describe('offer and answer', () => {
  it('writes the ok reply, then the answer, then the candidates and state from while answering', async () => {
    // The fake answers within microtasks: only the session's own ordering keeps the reply first.
    peers.prepare = (peer) => {
      peer.candidatesDuringAnswer = [HOST_CANDIDATE, { ...HOST_CANDIDATE, candidate: `${HOST_CANDIDATE.candidate} 2` }];
      peer.stateDuringAnswer = 'connecting';
    };
    client.push(TOPIC, WebRtcEvent.offer, OFFER);

    await waitFor(() => wireOrder().length === 5, { what: 'reply, answer, two candidates and a state' });
    expect(wireOrder()).toEqual(['reply:ok', WebRtcEvent.answer, WebRtcEvent.ice, WebRtcEvent.ice, WebRtcEvent.state]);
    expect(peers.latest.calls).toEqual(['acceptOffer', 'createAnswer']);
  });

  it('holds the answer until a macrotask after the offer settles, when its reply is on the wire', async () => {
    const pushes: string[] = [];
    const session = webrtc.openSession('u-bo', 'connection-1', (event) => pushes.push(event));

    expect(await session.offer(OFFER)).toEqual({ ok: true });
    // However many awaits the channel adds before writing the reply, the answer comes later.
    for (let turn = 0; turn < MICROTASK_TURNS; turn++) await Promise.resolve();
    expect(pushes).toEqual([]);
    await waitFor(() => pushes.length === 2, { what: 'the answer and a candidate' });
    expect(pushes).toEqual([WebRtcEvent.answer, WebRtcEvent.ice]);
    session.dispose();
  });

  it('pushes later candidates straight away', async () => {
    await negotiated();
    await client.assertPush(WebRtcEvent.ice, HOST_CANDIDATE);

    peers.latest.emitCandidate({ ...HOST_CANDIDATE, sdpMid: '1' });

    await client.assertPush(WebRtcEvent.ice, { sdpMid: '1' });
  });

  it('refuses an offer the engine rejects and keeps no peer', async () => {
    peers.prepare = (peer) => {
      peer.refuseOffer = new Error('bad fingerprint');
    };

    await client.assertReply(client.push(TOPIC, WebRtcEvent.offer, OFFER), 'error', {
      reason: ErrorCode.invalidSdp,
      message: 'the offer was refused: bad fingerprint',
    });
    expect(peers.latest.closed).toBe(true);
    expect(webrtc.peers.size).toBe(0);
    await client.refutePush(WebRtcEvent.answer);
  });

  it('replies webrtc_unavailable when the engine cannot create a peer', async () => {
    peers.failCreate = new Error('no UDP port free in RTC_PORT_MIN..RTC_PORT_MAX');

    await client.assertReply(client.push(TOPIC, WebRtcEvent.offer, OFFER), 'error', {
      reason: ErrorCode.webrtcUnavailable,
    });
    expect(webrtc.peers.size).toBe(0);
    await client.assertReply(client.push(TOPIC, WebRtcEvent.close, {}), 'ok', {});
  });

  it('reports failed and closes the peer when the answer cannot be made', async () => {
    peers.prepare = (peer) => {
      peer.failAnswer = new Error('no DTLS certificate');
    };

    await client.assertReply(client.push(TOPIC, WebRtcEvent.offer, OFFER), 'ok', {});
    await client.assertPush(WebRtcEvent.state, { state: 'failed' });
    expect(peers.latest.closed).toBe(true);
    expect(webrtc.peers.size).toBe(0);
  });

  it('a new offer closes the old peer, whose late events are not pushed', async () => {
    await negotiated();
    const old = peers.latest;
    await negotiated();

    expect(old.closed).toBe(true);
    expect(peers.created).toHaveLength(2);
    expect([...webrtc.peers.all()].length).toBe(1);
    old.emitCandidate({ ...HOST_CANDIDATE, sdpMid: 'old' });
    old.setState('connected');
    await client.refutePush(WebRtcEvent.state);
    expect(client.unconsumed.some((m) => (m.payload as { sdpMid?: string }).sdpMid === 'old')).toBe(false);
  });

  it('closes a peer still applying its offer when the socket closes', async () => {
    let release = (): void => {};
    peers.prepare = (peer) => {
      peer.offerGate = new Promise((resolve) => {
        release = resolve;
      });
    };
    client.push(TOPIC, WebRtcEvent.offer, OFFER);
    await waitFor(() => peers.created.length === 1, { what: 'the peer to be created' });

    // A leave would wait behind the offer in the channel's mailbox; a closed socket does not.
    client.disconnect();
    await waitFor(() => peers.latest.closed, { what: 'the peer to close with the socket' });
    release();

    await client.refutePush(WebRtcEvent.answer);
    expect(peers.latest.calls).not.toContain('createAnswer');
    expect(webrtc.peers.size).toBe(0);
  });
});

describe('client candidates', () => {
  it('queues candidates that arrive before the answer and acknowledges them at once', async () => {
    let release = (): void => {};
    peers.prepare = (peer) => {
      peer.offerGate = new Promise((resolve) => {
        release = resolve;
      });
    };
    const offerRef = client.push(TOPIC, WebRtcEvent.offer, OFFER);
    const iceRef = client.push(TOPIC, WebRtcEvent.ice, HOST_CANDIDATE);
    await waitFor(() => peers.created.length === 1, { what: 'the peer to be created' });
    release();

    await client.assertReply(offerRef, 'ok', {});
    await client.assertReply(iceRef, 'ok', {});
    await client.assertPush(WebRtcEvent.answer);
    expect(peers.latest.calls).toEqual([
      'acceptOffer',
      'createAnswer',
      `addRemoteCandidate:${HOST_CANDIDATE.candidate}`,
    ]);
  });

  it('does not hand end-of-candidates or .local candidates to the engine', async () => {
    await negotiated();
    const mdns = { ...HOST_CANDIDATE, candidate: 'candidate:2 1 udp 2122260223 a1b2c3.local 50001 typ host' };

    await client.assertReply(client.push(TOPIC, WebRtcEvent.ice, { candidate: '' }), 'ok', {});
    await client.assertReply(client.push(TOPIC, WebRtcEvent.ice, mdns), 'ok', {});

    expect(peers.latest.calls).toEqual(['acceptOffer', 'createAnswer']);
  });

  it('replies with the reason when the engine refuses a candidate after the answer', async () => {
    await negotiated();

    await client.assertReply(client.push(TOPIC, WebRtcEvent.ice, { ...HOST_CANDIDATE, sdpMid: 'refuse' }), 'error', {
      reason: ErrorCode.invalidCandidate,
      message: 'the candidate was refused: no such m-line',
    });
  });
});

describe('peer state and registry', () => {
  it('pushes every state change; a failed peer is closed while the channel stays joined', async () => {
    await negotiated();
    const peer = peers.latest;

    peer.setState('connecting');
    peer.setState('failed');

    await client.assertPush(WebRtcEvent.state, { state: 'connecting' });
    await client.assertPush(WebRtcEvent.state, { state: 'failed' });
    expect(peer.closed).toBe(true);
    expect(webrtc.peers.size).toBe(0);
    await client.refutePush(WebRtcEvent.state);
    await client.assertReply(client.push(TOPIC, WebRtcEvent.close, {}), 'ok', {});
  });

  it('tracks the two known channels once each and closes any other', async () => {
    const opened: string[] = [];
    const closed: string[] = [];
    webrtc.peers.listen({
      channelOpened: (_peer, label) => opened.push(label),
      peerClosed: (peer: OpenPeer) => closed.push(peer.id),
    });
    await negotiated();
    const peer = peers.latest;

    peer.openChannel(DataChannelLabel.events);
    peer.openChannel(DataChannelLabel.state, { ordered: false, maxRetransmits: 0 });
    const stray = peer.openChannel('chat');
    const duplicate = peer.openChannel(DataChannelLabel.events);

    const [registered] = [...webrtc.peers.all()];
    expect(opened).toEqual([DataChannelLabel.events, DataChannelLabel.state]);
    expect([...(registered?.channels.keys() ?? [])]).toEqual([DataChannelLabel.events, DataChannelLabel.state]);
    expect(stray.readyState).toBe('closed');
    expect(duplicate.readyState).toBe('closed');

    registered?.close();
    expect(closed).toEqual([registered?.id]);
    expect(peer.closed).toBe(true);
  });
});
