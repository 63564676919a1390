import { randomUUID } from 'node:crypto';
import type { ChannelContext } from '@starcatch/phoenix';
import {
  ErrorCode,
  type GameEventMessage,
  PlayerTransport,
  type PresenceMetaFields,
  type StateEncoding,
  type User,
} from '@starcatch/shared';
import type { PlayerLink, SnapshotDelivery } from '../game/player-link.ts';
import type { Clock } from '../limits/token-bucket.ts';
import type { DataChannelRoute } from './data-channel-route.ts';
import type { LinkImpairment } from './route-impairment.ts';
import { WebSocketRoute } from './websocket-route.ts';

/** What a link needs to know of its channel's socket: whose it is. */
export interface PlayerAssigns {
  readonly user: User;
}

/** Presence metas in a room also say how the player's game traffic travels. */
export interface RoomPresenceMeta extends PresenceMetaFields {
  readonly transport: PlayerTransport;
}

export interface GameLinkOptions {
  /** The tab's joined `room:<id>` channel. */
  readonly channel: ChannelContext<PlayerAssigns>;
  /** Already open when the tab joined the room: used from the start, with no announcement. */
  readonly initialRoute: DataChannelRoute | undefined;
  /** At most one `game:notice` per this many ms. */
  readonly noticeIntervalMs: number;
  /** Snapshots are skipped while more than this is queued for the tab (either path). */
  readonly snapshotMaxBufferedBytes: number;
  readonly now: Clock;
  /** A simulated bad network for this link's traffic (`NET_IMPAIR_*`); absent on a normal server. */
  readonly impairment?: LinkImpairment | undefined;
  /** The path changed after the start: the simulation should send this link a fresh `sync`. */
  rerouted(link: GameLink): void;
}

/**
 * One tab of a player in a room, as the simulation's `PlayerLink`: game traffic goes over the
 * socket's WebRTC DataChannels while both are open, else as pushes on the room channel. Every
 * switch updates the tab's presence meta (`transport`) and asks for a resync on the new path.
 */
export class GameLink implements PlayerLink {
  readonly id = randomUUID();
  readonly userId: string;
  readonly connectionId: string;
  readonly #options: GameLinkOptions;
  readonly #websocket: WebSocketRoute;
  readonly #meta: PresenceMetaFields;
  #webrtc: DataChannelRoute | undefined;
  #dropped = 0;
  #droppedOn: PlayerTransport = PlayerTransport.websocket;
  #noticeAt = Number.NEGATIVE_INFINITY;
  #closed = false;

  constructor(options: GameLinkOptions) {
    const { channel } = options;
    this.#options = options;
    this.userId = channel.assigns.user.id;
    this.connectionId = channel.connectionId;
    this.#websocket = new WebSocketRoute(channel, options.snapshotMaxBufferedBytes);
    this.#webrtc = options.initialRoute;
    const { nickname, color } = channel.assigns.user;
    this.#meta = { nickname, color, online_at: Date.now() };
  }

  get transport(): PlayerTransport {
    return this.#webrtc ? PlayerTransport.webrtc : PlayerTransport.websocket;
  }

  /** The id of the peer carrying this link's traffic, if WebRTC does. */
  get peerId(): string | undefined {
    return this.#webrtc?.peer.id;
  }

  get stateEncoding(): StateEncoding {
    return this.#websocket.encoding;
  }

  get presenceMeta(): RoomPresenceMeta {
    return { ...this.#meta, transport: this.transport };
  }

  sendSnapshot(bytes: Uint8Array<ArrayBuffer>): SnapshotDelivery {
    const webrtc = this.#liveWebRtc();
    const impairment = this.#options.impairment;
    if (!impairment) return webrtc ? webrtc.sendSnapshot(bytes) : this.#websocket.sendSnapshot(bytes);
    // Sent on the path it left on; a path gone meanwhile loses it, as a real one would.
    const route = webrtc ?? this.#websocket;
    impairment.outbound(this.transport, 'snapshot', () => {
      if (!this.#closed && (route === this.#websocket || this.#webrtc === route)) route.sendSnapshot(bytes);
    });
    return 'sent';
  }

  /**
   * Takes in one raw INPUT from `transport`, through the simulated network when there is one;
   * `submit` hands it to the simulation.
   */
  receiveInput(transport: PlayerTransport, submit: () => void): void {
    const impairment = this.#options.impairment;
    if (!impairment) submit();
    else impairment.inbound(transport, () => !this.#closed && submit());
  }

  sendEvent(event: GameEventMessage): void {
    const impairment = this.#options.impairment;
    if (!impairment) this.#sendEventNow(event);
    else impairment.outbound(this.transport, 'event', () => !this.#closed && this.#sendEventNow(event));
  }

  #sendEventNow(event: GameEventMessage): void {
    const webrtc = this.#liveWebRtc();
    if (!webrtc) {
      this.#websocket.sendEvent(event);
      return;
    }
    if (webrtc.stalled) {
      // The resync on the WebSocket that follows covers this event.
      webrtc.peer.close();
      this.useWebSocket();
      return;
    }
    webrtc.sendEvent(event);
  }

  /** The socket's peer has both channels open: move the game traffic onto them. */
  useDataChannels(route: DataChannelRoute): void {
    if (this.#webrtc?.peer === route.peer) return;
    this.#webrtc = route;
    this.#rerouted();
  }

  /** Back to the room channel (the peer closed or failed). */
  useWebSocket(): void {
    if (!this.#webrtc) return;
    this.#webrtc = undefined;
    this.#rerouted();
  }

  /**
   * Some of this tab's traffic was refused by a rate limit. The tab hears about it on the room
   * channel (reliable, whatever path the game uses), at most once per notice interval, with the
   * count since the previous notice.
   */
  reportDropped(transport: PlayerTransport): void {
    this.#dropped++;
    this.#droppedOn = transport;
    const now = this.#options.now();
    if (now - this.#noticeAt < this.#options.noticeIntervalMs) return;
    this.#noticeAt = now;
    this.#websocket.sendNotice({
      reason: ErrorCode.rateLimited,
      message: `game messages are arriving faster than the server accepts; ${this.#dropped} dropped`,
      transport: this.#droppedOn,
      dropped: this.#dropped,
    });
    this.#dropped = 0;
  }

  /**
   * The tab left the room. Presence is already untracked by then, and an update would track it
   * again, so nothing touches the channel afterwards.
   */
  close(): void {
    this.#closed = true;
    this.#webrtc = undefined;
    this.#options.impairment?.dispose();
  }

  /** The DataChannel route if it is still usable; a route found closed sends the link back to the WebSocket. */
  #liveWebRtc(): DataChannelRoute | undefined {
    if (this.#webrtc && !this.#webrtc.open) this.useWebSocket();
    return this.#webrtc;
  }

  #rerouted(): void {
    const { channel } = this.#options;
    if (this.#closed || channel.closed) return;
    channel.presence.update(this.userId, this.presenceMeta);
    this.#options.rerouted(this);
  }
}
