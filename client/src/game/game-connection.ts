import type { GameEventMessage, PlayerTransport, SnapshotMessage } from '@starcatch/shared';

/**
 * What the game loop sees of the network: one way out for inputs, one way in for snapshots and
 * events, and which path is live. Nothing behind it tells the game which transport carries what.
 *
 * Defined here, on the game's side, and implemented in `net/` (`TransportSwitch`; the bench's
 * bots have their own): the scene and the netcode are handed one and never import a socket.
 */
export interface GameConnection {
  /** The path inputs take now. */
  readonly transport: PlayerTransport;
  /** Sends one encoded INPUT message. */
  sendInput(bytes: Uint8Array<ArrayBuffer>): void;
  /** Every decoded snapshot, from either path, unfiltered: the caller drops stale ticks. */
  onSnapshot(listener: (snapshot: SnapshotMessage) => void): () => void;
  /** Every valid game event, from either path. */
  onEvent(listener: (event: GameEventMessage) => void): () => void;
}
