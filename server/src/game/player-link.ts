import type { GameEventMessage } from '@starcatch/shared';

/** What became of one snapshot handed to a link. */
export type SnapshotDelivery = 'sent' | 'skipped';

/**
 * The simulation's only view of a player's connection: one per tab in the room. The transport
 * behind it (WebRTC DataChannels or the room channel's WebSocket pushes) is chosen, and changed,
 * on the other side of this interface; the simulation never knows which one carries its messages.
 */
export interface PlayerLink {
  /** Unique for the life of the server process. */
  readonly id: string;
  /**
   * Sends one encoded snapshot, already patched with this receiver's ack. The buffer is the
   * link's to keep. `skipped` means the transport is backed up and dropped it on purpose: the
   * next snapshot supersedes it.
   */
  sendSnapshot(bytes: Uint8Array<ArrayBuffer>): SnapshotDelivery;
  /** Sends one game event, reliably and in order on the link's current path. */
  sendEvent(event: GameEventMessage): void;
}
