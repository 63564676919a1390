import type { Logger } from '@starcatch/phoenix';
import {
  type ChannelError,
  DataChannelLabel,
  ErrorCode,
  type PeerConnectionState,
  WebRtcEvent,
  type WebRtcStatePayload,
} from '@starcatch/shared';
import type { KeyedRateLimit, RateVerdict } from '../limits/keyed-rate-limit.ts';
import { NegotiatedPeer } from './negotiated-peer.ts';
import type { PeerRegistry } from './peer-registry.ts';
import type { RtcPeerFactory } from './rtc-peer.ts';
import { candidateAddress, parseCandidate, parseOffer } from './signaling-payloads.ts';

export type SignalingOutcome = { readonly ok: true } | { readonly ok: false; readonly error: ChannelError };

/** Caps on this process's WebRTC peers. In a cluster each node counts the peers it holds. */
export interface PeerLimits {
  /** Peers one user may hold (one per tab); an offer beyond it closes the user's oldest peer (`too_many_peers`). */
  readonly maxPerUser: number;
  /** Peers in total (each holds UDP sockets and SCTP state); an offer beyond it is refused (`webrtc_unavailable`). */
  readonly maxTotal: number;
  /** A peer whose two DataChannels are not both open this long after its offer is closed (`peer_timeout`). */
  readonly openTimeoutMs: number;
}

/**
 * 4 peers per user: four tabs play over WebRTC at once, a fifth pushes out the oldest. 200 in
 * total: 400 UDP sockets (two per peer), inside the 512 descriptors the default `MAX_CONNECTIONS`
 * keeps free for the database, files and peers. 15 s to open: loopback takes 0.1-0.3 s, a slow
 * network through TURN a few seconds.
 */
export const DEFAULT_PEER_LIMITS: PeerLimits = { maxPerUser: 4, maxTotal: 200, openTimeoutMs: 15_000 };

const CHANNELS_PER_PEER = Object.values(DataChannelLabel).length;

export interface SignalingSessionOptions {
  readonly userId: string;
  /** The socket this session's user channel belongs to. */
  readonly connectionId: string;
  readonly createPeer: RtcPeerFactory;
  readonly registry: PeerRegistry;
  /** Per-user budget for `webrtc:offer` and `webrtc:close`. */
  readonly signalingLimit: KeyedRateLimit;
  /** Per-user budget for client `webrtc:ice`. */
  readonly iceLimit: KeyedRateLimit;
  /** Pushes to this user channel's client. */
  readonly push: (event: string, payload: object) => void;
  readonly limits: PeerLimits;
  readonly logger: Logger;
}

const OK: SignalingOutcome = { ok: true };

/**
 * The WebRTC side of one `user:<id>` channel: at most one peer, replaced by each new offer and
 * closed with the channel. Its methods are called one at a time (the channel's mailbox).
 */
export class SignalingSession {
  readonly #options: SignalingSessionOptions;
  #peer: NegotiatedPeer | undefined;
  /** Closes `#peer` unless both its channels open in time (`limits.openTimeoutMs`). */
  #openTimer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;

  constructor(options: SignalingSessionOptions) {
    this.#options = options;
  }

  /**
   * `webrtc:offer`: the remote description is applied before the reply, so a bad SDP gets an error
   * reply; the answer is pushed after the reply, then the candidates gathered meanwhile.
   */
  async offer(payload: unknown): Promise<SignalingOutcome> {
    const refused = this.#spend(this.#options.signalingLimit);
    if (refused) return refused;
    const sdp = parseOffer(payload);
    if (!sdp.ok) return failure(ErrorCode.invalidSdp, sdp.message);

    this.#closePeer();
    const full = this.#makeRoom();
    if (full) return full;
    let peer: NegotiatedPeer;
    try {
      peer = this.#openPeer();
    } catch (error) {
      this.#options.logger.error({ err: error, userId: this.#options.userId }, 'WebRTC peer could not be created');
      return failure(
        ErrorCode.webrtcUnavailable,
        'the server cannot open a WebRTC connection now; stay on the WebSocket',
      );
    }
    try {
      await peer.run(() => peer.engine.acceptOffer(sdp.value));
    } catch (error) {
      this.#closePeer(peer);
      return failure(ErrorCode.invalidSdp, `the offer was refused: ${messageOf(error)}`);
    }
    if (this.#peer === peer) void this.#answer(peer);
    return OK;
  }

  /**
   * `webrtc:ice`. Before the answer is out a candidate is queued behind it and acknowledged at
   * once; after that the reply says whether the engine took it.
   */
  async ice(payload: unknown): Promise<SignalingOutcome> {
    const refused = this.#spend(this.#options.iceLimit);
    if (refused) return refused;
    const parsed = parseCandidate(payload);
    if (!parsed.ok) return failure(ErrorCode.invalidCandidate, parsed.message);
    const peer = this.#peer;
    if (!peer) return failure(ErrorCode.noWebRtcSession, 'send webrtc:offer before webrtc:ice');
    // End-of-candidates is not passed on: the server connects through the peer-reflexive candidate
    // it learns from the browser's checks, and werift could give up early once told "no more".
    if (parsed.value.kind === 'end') return OK;
    const candidate = parsed.value.value;
    // `.local` (mDNS) names make werift multicast a query and stall for 10 s; the prflx path works without them.
    if (candidateAddress(candidate.candidate)?.endsWith('.local')) return OK;

    const added = peer.run(() => peer.engine.addRemoteCandidate(candidate));
    if (!peer.answered) {
      added.catch((error: unknown) => this.#options.logger.debug({ err: error }, 'queued ICE candidate refused'));
      return OK;
    }
    try {
      await added;
      return OK;
    } catch (error) {
      return failure(ErrorCode.invalidCandidate, `the candidate was refused: ${messageOf(error)}`);
    }
  }

  /** `webrtc:close`: closes the peer if there is one. */
  close(): SignalingOutcome {
    const refused = this.#spend(this.#options.signalingLimit);
    if (refused) return refused;
    this.#closePeer();
    return OK;
  }

  /** The user channel ended (leave, socket closed, crash): the peer goes with it. */
  dispose(): void {
    this.#disposed = true;
    this.#closePeer();
  }

  /**
   * Makes room for one more peer of this user: closes the user's oldest peers (other tabs) down to
   * `maxPerUser - 1`, telling each `too_many_peers`; then refuses if the server holds `maxTotal`.
   */
  #makeRoom(): SignalingOutcome | undefined {
    const { userId, registry, limits, logger } = this.#options;
    // The registry keeps insertion order, so the first of a user's peers is the oldest.
    const mine = registry.forUser(userId);
    for (const oldest of mine.slice(0, Math.max(0, mine.length - limits.maxPerUser + 1))) {
      logger.info(
        { userId, peerId: oldest.id },
        'WebRTC peer closed: the user opened more than RTC_MAX_PEERS_PER_USER',
      );
      oldest.close(ErrorCode.tooManyPeers);
    }
    if (registry.size < limits.maxTotal) return undefined;
    logger.info({ userId, peers: registry.size }, 'WebRTC offer refused: RTC_MAX_PEERS reached');
    return failure(
      ErrorCode.webrtcUnavailable,
      'the server has as many WebRTC connections as it can hold; stay on the WebSocket',
    );
  }

  #openPeer(): NegotiatedPeer {
    const { userId, connectionId, createPeer, registry, push, limits } = this.#options;
    const peer = new NegotiatedPeer(userId, connectionId, createPeer(), {
      channelOpened: (owner, label, channel) => {
        if (owner === this.#peer && owner.channels.size >= CHANNELS_PER_PEER) this.#stopOpenTimer();
        registry.channelOpened(owner, label, channel);
      },
      closeRequested: (owner, reason) => {
        if (reason && owner === this.#peer) this.#pushState({ state: 'closed', reason });
        this.#closePeer(owner);
      },
    });
    peer.engine.onLocalCandidate((candidate) => {
      if (this.#peer === peer) peer.afterAnswer(() => push(WebRtcEvent.ice, candidate));
    });
    peer.engine.onStateChange((state) => this.#stateChanged(peer, state));
    this.#peer = peer;
    registry.add(peer);
    this.#openTimer = setTimeout(() => this.#openTimedOut(peer), limits.openTimeoutMs);
    this.#openTimer.unref();
    return peer;
  }

  #openTimedOut(peer: NegotiatedPeer): void {
    this.#openTimer = undefined;
    if (this.#peer !== peer || peer.channels.size >= CHANNELS_PER_PEER) return;
    this.#options.logger.info(
      { userId: peer.userId, peerId: peer.id, openChannels: peer.channels.size },
      'WebRTC peer closed: its DataChannels did not open within RTC_OPEN_TIMEOUT_MS',
    );
    this.#pushState({ state: 'closed', reason: ErrorCode.peerTimeout });
    this.#closePeer(peer);
  }

  #stopOpenTimer(): void {
    clearTimeout(this.#openTimer);
    this.#openTimer = undefined;
  }

  async #answer(peer: NegotiatedPeer): Promise<void> {
    const { push, logger } = this.#options;
    try {
      const sdp = await peer.run(() => peer.engine.createAnswer());
      await replyWritten();
      if (this.#peer !== peer) return;
      push(WebRtcEvent.answer, { sdp, type: 'answer' });
      peer.answerSent();
    } catch (error) {
      // A peer replaced by a newer offer (or closed) while answering fails here too: not worth a warning.
      if (this.#peer !== peer) {
        logger.debug({ err: error, userId: peer.userId }, 'WebRTC answer abandoned: the peer was replaced');
        return;
      }
      logger.warn({ err: error, userId: peer.userId }, 'WebRTC answer failed');
      this.#pushState({ state: 'failed' });
      this.#closePeer(peer);
    }
  }

  #stateChanged(peer: NegotiatedPeer, state: PeerConnectionState): void {
    // A replaced or closed peer is no longer the client's concern: it already moved on.
    if (this.#peer !== peer) return;
    if (state !== 'failed' && state !== 'closed') {
      // werift reports `connecting` while it applies the answer, before the answer is pushed.
      peer.afterAnswer(() => {
        if (this.#peer === peer) this.#pushState({ state });
      });
      return;
    }
    // The end is reported at once; a failed peer never recovers without a new offer, so free its sockets.
    this.#pushState({ state });
    this.#closePeer(peer);
  }

  /** Spends one token; on refusal returns the error reply, and closes the peer on sustained abuse. */
  #spend(limit: KeyedRateLimit): SignalingOutcome | undefined {
    const verdict: RateVerdict = limit.check(this.#options.userId);
    if (verdict === 'allowed') return undefined;
    if (verdict === 'abusive' && this.#peer) {
      this.#pushState({ state: 'closed', reason: ErrorCode.rateLimited });
      this.#closePeer();
    }
    return failure(ErrorCode.rateLimited, 'too many WebRTC signaling messages; slow down');
  }

  #pushState(payload: WebRtcStatePayload): void {
    if (!this.#disposed) this.#options.push(WebRtcEvent.state, payload);
  }

  /** Closes `peer` (default: the current one) if it is still the current one. */
  #closePeer(peer: NegotiatedPeer | undefined = this.#peer): void {
    if (!peer || peer !== this.#peer) return;
    this.#peer = undefined;
    this.#stopOpenTimer();
    this.#options.registry.remove(peer);
    peer.shutdown();
  }
}

function failure(reason: ErrorCode, message: string): SignalingOutcome {
  return { ok: false, error: { reason, message } };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The channel writes a push's reply right after `handleIn` settles, in the same run of microtasks;
 * `setImmediate` fires after them, so whatever is pushed next follows the `ok` reply on the wire.
 */
function replyWritten(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
