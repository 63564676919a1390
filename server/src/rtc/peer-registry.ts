import type { DataChannelLabel, ErrorCode } from '@starcatch/shared';
import type { RtcDataChannel } from './rtc-peer.ts';

/**
 * A live peer as the rest of the server sees it: one per `user:<id>` channel (so per socket) that
 * has sent an offer. The game sends snapshots and reads inputs through its channels.
 */
export interface OpenPeer {
  /** Unique per peer; a re-offer gives a new one. */
  readonly id: string;
  readonly userId: string;
  /** The socket whose `user:<id>` channel negotiated it: pairs the peer with that socket's room channel. */
  readonly connectionId: string;
  /** The browser's channels that are open now, by label. */
  readonly channels: ReadonlyMap<DataChannelLabel, RtcDataChannel>;
  /**
   * True from the moment it is closed. Messages that arrived in the same packet as the one that got
   * it closed can still be delivered after that (werift hands over a packet's messages together):
   * handlers drop them.
   */
  readonly closed: boolean;
  /**
   * Closes the peer as `webrtc:close` would; the user channel stays joined. With a reason (the
   * server's own decision, e.g. `rate_limited`) the client is told `webrtc:state {closed, reason}`.
   */
  close(reason?: ErrorCode): void;
}

/** Told when peers come and go; the game attaches its message handlers in `channelOpened`. */
export interface PeerRegistryListener {
  channelOpened?(peer: OpenPeer, label: DataChannelLabel, channel: RtcDataChannel): void;
  peerClosed?(peer: OpenPeer): void;
}

/** Every live peer of this server process. */
export class PeerRegistry {
  readonly #peers = new Map<string, OpenPeer>();
  readonly #listeners = new Set<PeerRegistryListener>();

  get size(): number {
    return this.#peers.size;
  }

  get(id: string): OpenPeer | undefined {
    return this.#peers.get(id);
  }

  /** The peers of one user (one per socket that negotiated, e.g. several tabs). */
  forUser(userId: string): OpenPeer[] {
    return [...this.#peers.values()].filter((peer) => peer.userId === userId);
  }

  all(): IterableIterator<OpenPeer> {
    return this.#peers.values();
  }

  /** The peer of one socket, if it has one (at most one: one `user:<id>` channel per socket). */
  forConnection(connectionId: string): OpenPeer | undefined {
    for (const peer of this.#peers.values()) if (peer.connectionId === connectionId) return peer;
    return undefined;
  }

  /** Returns a function that removes the listener. */
  listen(listener: PeerRegistryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  add(peer: OpenPeer): void {
    this.#peers.set(peer.id, peer);
  }

  channelOpened(peer: OpenPeer, label: DataChannelLabel, channel: RtcDataChannel): void {
    if (!this.#peers.has(peer.id)) return;
    for (const listener of this.#listeners) listener.channelOpened?.(peer, label, channel);
  }

  remove(peer: OpenPeer): void {
    if (!this.#peers.delete(peer.id)) return;
    for (const listener of this.#listeners) listener.peerClosed?.(peer);
  }

  /** Closes every peer (server shutdown). */
  closeAll(): void {
    for (const peer of [...this.#peers.values()]) peer.close();
  }
}
