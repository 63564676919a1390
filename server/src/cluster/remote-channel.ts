import type { ChannelContext, ChannelPresence, Payload, PresenceState } from '@starcatch/phoenix';
import type { User } from '@starcatch/shared';
import { ClusterMessage } from './cluster-messages.ts';
import type { NodeBus } from './node-bus.ts';
import { seatFrame } from './seat-frames.ts';

export interface RemoteChannelOptions {
  readonly bus: NodeBus;
  /** The node whose socket holds the real channel. */
  readonly node: string;
  readonly seat: string;
  readonly topic: string;
  readonly user: User;
  readonly connectionId: string;
}

/**
 * A room channel that lives on another node, as the room's host sees it: the game link writes to
 * it exactly as to a joined channel, and each push travels to the channel's node, which pushes it
 * to the client. Snapshots go as bytes (the channel's node encodes them for its socket, and skips
 * them while that socket is backed up); presence changes are applied there too.
 */
export class RemoteChannel implements ChannelContext<{ user: User }> {
  readonly topic: string;
  readonly joinRef: string;
  readonly connectionId: string;
  readonly assigns: { user: User };
  /** The backlog is measured where the socket is, when a snapshot arrives there. */
  readonly sendBacklog = 0;
  /** Bytes always: the channel's node turns them into base64 for a V1 socket. */
  readonly supportsBinary = true;
  readonly presence: ChannelPresence;
  readonly #options: RemoteChannelOptions;
  #closed = false;

  constructor(options: RemoteChannelOptions) {
    this.#options = options;
    this.topic = options.topic;
    this.joinRef = options.seat;
    this.connectionId = options.connectionId;
    this.assigns = { user: options.user };
    const sendMeta = (meta: object): string => {
      if (!this.#closed) options.bus.send(options.node, ClusterMessage.seatPresence, { seat: options.seat, meta });
      return '';
    };
    this.presence = {
      track: (_key, meta) => sendMeta(meta),
      update: (_key, meta) => sendMeta(meta),
      untrack: () => {},
      list: (): PresenceState => ({}),
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  push(event: string, payload: Payload): void {
    if (this.#closed) return;
    const { bus, node, seat } = this.#options;
    if (payload instanceof Uint8Array) bus.sendBytes(node, ClusterMessage.seatSnapshot, seatFrame(seat, payload));
    else bus.send(node, ClusterMessage.seatPush, { seat, event, payload });
  }

  // The game link never broadcasts from a room channel; these exist for the interface's sake.
  broadcast(): void {
    throw new Error('a remote channel cannot broadcast');
  }

  broadcastFrom(): void {
    throw new Error('a remote channel cannot broadcast');
  }

  stop(): void {
    this.close();
  }

  close(): void {
    this.#closed = true;
  }
}
