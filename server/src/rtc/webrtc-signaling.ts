import type { Logger } from '@starcatch/phoenix';
import { KeyedRateLimit, type RateLimitOptions } from '../limits/keyed-rate-limit.ts';
import type { Clock } from '../limits/token-bucket.ts';
import { PeerRegistry } from './peer-registry.ts';
import type { RtcPeerFactory } from './rtc-peer.ts';
import { DEFAULT_PEER_LIMITS, type PeerLimits, SignalingSession } from './signaling-session.ts';

export interface WebRtcSignalingOptions {
  readonly createPeer: RtcPeerFactory;
  /** Per user: `webrtc:offer` and `webrtc:close`. */
  readonly signalingLimit: RateLimitOptions;
  /** Per user: client `webrtc:ice`. */
  readonly iceLimit: RateLimitOptions;
  /** Peers per user and in total, and how long a peer may take to open; default `DEFAULT_PEER_LIMITS`. */
  readonly peerLimits?: PeerLimits;
  readonly logger: Logger;
  readonly now?: Clock;
}

/**
 * The server's WebRTC signaling: the per-user budgets, the live peers and their caps, one session
 * per user channel.
 */
export class WebRtcSignaling {
  readonly peers = new PeerRegistry();
  readonly #options: WebRtcSignalingOptions;
  readonly #signalingLimit: KeyedRateLimit;
  readonly #iceLimit: KeyedRateLimit;

  constructor(options: WebRtcSignalingOptions) {
    this.#options = options;
    this.#signalingLimit = new KeyedRateLimit(options.signalingLimit, options.now);
    this.#iceLimit = new KeyedRateLimit(options.iceLimit, options.now);
  }

  /**
   * A session for one joined `user:<id>` channel on socket `connectionId`; `push` sends to that
   * channel's client.
   */
  openSession(userId: string, connectionId: string, push: (event: string, payload: object) => void): SignalingSession {
    return new SignalingSession({
      userId,
      connectionId,
      push,
      createPeer: this.#options.createPeer,
      registry: this.peers,
      signalingLimit: this.#signalingLimit,
      iceLimit: this.#iceLimit,
      limits: this.#options.peerLimits ?? DEFAULT_PEER_LIMITS,
      logger: this.#options.logger,
    });
  }
}
