import type { GameEventMessage } from '@starcatch/shared';
import type { SnapshotDelivery } from '../game/player-link.ts';
import type { OpenPeer } from '../rtc/peer-registry.ts';
import type { RtcDataChannel } from '../rtc/rtc-peer.ts';

/**
 * How far past the snapshot threshold the backlog may grow before the peer counts as stalled.
 * Events are reliable and cannot be skipped, so a peer that stops reading would hold them without
 * bound; at 16× (64 KiB with the default threshold) it is given up on instead.
 */
export const STALLED_BACKLOG_FACTOR = 16;

/**
 * Game traffic over one peer's two DataChannels: snapshots on `state` (unordered, no retransmits),
 * events as JSON on `events` (reliable, ordered).
 *
 * werift's `send` never blocks and queues without limit (docs/webrtc.md §4) in one FIFO
 * per peer that both channels share, so the guard looks at both channels' `bufferedAmount`: past
 * `maxBufferedBytes`, snapshots are skipped until the peer drains.
 */
export class DataChannelRoute {
  readonly peer: OpenPeer;
  readonly #events: RtcDataChannel;
  readonly #state: RtcDataChannel;
  readonly #maxBufferedBytes: number;

  constructor(peer: OpenPeer, events: RtcDataChannel, state: RtcDataChannel, maxBufferedBytes: number) {
    this.peer = peer;
    this.#events = events;
    this.#state = state;
    this.#maxBufferedBytes = maxBufferedBytes;
  }

  /** Both channels still open. */
  get open(): boolean {
    return this.#events.readyState === 'open' && this.#state.readyState === 'open';
  }

  /** Bytes queued on this peer and not yet handed to SCTP. */
  get backlog(): number {
    return this.#events.bufferedAmount + this.#state.bufferedAmount;
  }

  /** The peer has stopped draining: continuing would only grow server memory. */
  get stalled(): boolean {
    return this.backlog > this.#maxBufferedBytes * STALLED_BACKLOG_FACTOR;
  }

  sendSnapshot(bytes: Uint8Array): SnapshotDelivery {
    if (this.backlog > this.#maxBufferedBytes) return 'skipped';
    return this.#state.send(bytes) ? 'sent' : 'skipped';
  }

  sendEvent(event: GameEventMessage): boolean {
    return this.#events.send(JSON.stringify(event));
  }
}
