import type { ChannelContext, Logger } from '@starcatch/phoenix';
import { DataChannelLabel, ErrorCode, type NetworkImpairment, PlayerTransport } from '@starcatch/shared';
import type { RoomSimulations } from '../game/room-simulations.ts';
import type { KeyedRateLimit } from '../limits/keyed-rate-limit.ts';
import type { Clock } from '../limits/token-bucket.ts';
import type { OpenPeer, PeerRegistry } from '../rtc/peer-registry.ts';
import type { RtcDataChannel } from '../rtc/rtc-peer.ts';
import { DataChannelRoute } from './data-channel-route.ts';
import { GameLink, type PlayerAssigns } from './game-link.ts';
import { LinkImpairment } from './route-impairment.ts';
import { readStatePayload } from './websocket-route.ts';

export interface PlayerLinksOptions {
  readonly games: RoomSimulations;
  readonly peers: PeerRegistry;
  /** Per user: messages on either DataChannel, all peers together (`RateLimits.dataChannel`). */
  readonly dataChannelLimit: KeyedRateLimit;
  /** Snapshots are skipped while a peer has more than this queued (both channels together). */
  readonly snapshotMaxBufferedBytes: number;
  /** At most one `game:notice` per link per this many ms. */
  readonly noticeIntervalMs: number;
  readonly logger: Logger;
  readonly now?: Clock;
  /** A simulated bad network on every link (`NET_IMPAIR_*`, see `serverImpairment`); null or absent: none. */
  readonly impairment?: NetworkImpairment | null;
}

/** What the game traffic's transport side has refused or could not route, since start. */
export interface TrafficCounts {
  dataChannelMessages: number;
  /** Over the DataChannel budget. */
  dataChannelDropped: number;
  /** Peers closed for ignoring the DataChannel budget. */
  peersClosedForAbuse: number;
  /** `state` messages from a socket that is in no room, or text where bytes belong. */
  unroutable: number;
  /** WebSocket `input` pushes over the room channel's budget. */
  webSocketInputsDropped: number;
  /** WebSocket `input` pushes that were neither bytes nor `{data: base64}`. */
  webSocketInputsMalformed: number;
}

/**
 * The game links of every tab in a room, and which path each one's traffic takes. A tab's link
 * uses its socket's WebRTC peer (paired by connection id: one peer per socket) while both
 * DataChannels are open, and the room channel otherwise; it switches at run time in both
 * directions. Inputs are accepted from either path at any time.
 */
export class PlayerLinks {
  readonly counts: TrafficCounts = {
    dataChannelMessages: 0,
    dataChannelDropped: 0,
    peersClosedForAbuse: 0,
    unroutable: 0,
    webSocketInputsDropped: 0,
    webSocketInputsMalformed: 0,
  };
  readonly #options: PlayerLinksOptions;
  readonly #dataChannelLimit: KeyedRateLimit;
  readonly #now: Clock;
  /** The room link of each socket. A socket plays in one room at a time; a newer join takes over. */
  readonly #byConnection = new Map<string, GameLink>();
  readonly #unlisten: () => void;

  constructor(options: PlayerLinksOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#dataChannelLimit = options.dataChannelLimit;
    this.#unlisten = options.peers.listen({
      channelOpened: (peer, label, channel) => this.#channelOpened(peer, label, channel),
      peerClosed: (peer) => this.#peerClosed(peer),
    });
  }

  /** A link for a tab that just joined `room:<id>`; on WebRTC from the start if its peer is ready. */
  open(channel: ChannelContext<PlayerAssigns>): GameLink {
    const peer = this.#options.peers.forConnection(channel.connectionId);
    const link = new GameLink({
      channel,
      initialRoute: peer && peer.userId === channel.assigns.user.id ? this.#routeFor(peer) : undefined,
      noticeIntervalMs: this.#options.noticeIntervalMs,
      snapshotMaxBufferedBytes: this.#options.snapshotMaxBufferedBytes,
      now: this.#now,
      impairment: this.#options.impairment ? new LinkImpairment(this.#options.impairment) : undefined,
      rerouted: (rerouted) => this.#options.games.resync(rerouted.id),
    });
    this.#byConnection.get(link.connectionId)?.useWebSocket();
    this.#byConnection.set(link.connectionId, link);
    return link;
  }

  close(link: GameLink): void {
    link.close();
    if (this.#byConnection.get(link.connectionId) === link) this.#byConnection.delete(link.connectionId);
  }

  /** A room channel `input` push that passed the channel's budget. */
  receiveWebSocketInput(link: GameLink, payload: unknown): void {
    const bytes = readStatePayload(payload);
    if (!bytes) {
      this.counts.webSocketInputsMalformed++;
      return;
    }
    link.receiveInput(PlayerTransport.websocket, () => this.#options.games.submitInput(link.id, bytes));
  }

  /** A room channel `input` push refused by the channel's budget. */
  webSocketInputDropped(link: GameLink): void {
    this.counts.webSocketInputsDropped++;
    link.reportDropped(PlayerTransport.websocket);
  }

  /** Stops following the peers (server shutdown). */
  dispose(): void {
    this.#unlisten();
    this.#byConnection.clear();
  }

  #channelOpened(peer: OpenPeer, label: DataChannelLabel, channel: RtcDataChannel): void {
    channel.onMessage((data) => this.#received(peer, label, data));
    channel.onStateChange((state) => {
      if (state === 'closed') this.#linkOf(peer)?.useWebSocket();
    });
    const link = this.#linkOf(peer);
    const route = link && this.#routeFor(peer);
    if (link && route) link.useDataChannels(route);
  }

  #peerClosed(peer: OpenPeer): void {
    this.#linkOf(peer)?.useWebSocket();
  }

  /** Every DataChannel message of a user spends from one budget, whichever channel and peer. */
  #received(peer: OpenPeer, label: DataChannelLabel, data: string | Uint8Array): void {
    this.counts.dataChannelMessages++;
    // Messages of one SCTP packet arrive together (werift bundles what a peer sends in one turn, see
    // docs/webrtc.md §11): the rest of a flood that closed its peer is dropped, not closed for again.
    if (peer.closed) {
      this.counts.dataChannelDropped++;
      return;
    }
    const link = this.#byConnection.get(peer.connectionId);
    const verdict = this.#dataChannelLimit.check(peer.userId);
    if (verdict !== 'allowed') {
      this.counts.dataChannelDropped++;
      link?.reportDropped(PlayerTransport.webrtc);
      if (verdict === 'abusive') {
        this.counts.peersClosedForAbuse++;
        this.#options.logger.warn({ userId: peer.userId, peerId: peer.id }, 'peer closed: DataChannel flood');
        peer.close(ErrorCode.rateLimited);
      }
      return;
    }
    // Nothing is expected on `events` from the client yet; it only spends budget.
    if (label !== DataChannelLabel.state) return;
    if (!link || link.userId !== peer.userId || typeof data === 'string') {
      this.counts.unroutable++;
      return;
    }
    link.receiveInput(PlayerTransport.webrtc, () => this.#options.games.submitInput(link.id, data));
  }

  /** The link this peer serves: its socket's room link, once both belong to the same user. */
  #linkOf(peer: OpenPeer): GameLink | undefined {
    const link = this.#byConnection.get(peer.connectionId);
    return link && link.userId === peer.userId && (link.peerId === undefined || link.peerId === peer.id)
      ? link
      : undefined;
  }

  #routeFor(peer: OpenPeer): DataChannelRoute | undefined {
    const events = peer.channels.get(DataChannelLabel.events);
    const state = peer.channels.get(DataChannelLabel.state);
    if (!events || !state) return undefined;
    const route = new DataChannelRoute(peer, events, state, this.#options.snapshotMaxBufferedBytes);
    return route.open ? route : undefined;
  }
}
