import type { GameEventMessage, PlayerTransport, SnapshotMessage } from '@starcatch/shared';

/** Whether each DataChannel of the current peer is open. */
export interface DataChannelStates {
  readonly events: boolean;
  readonly state: boolean;
}

/**
 * What the game loop sees of the network: one way out for inputs, one way in for snapshots and
 * events, and which path is live. Nothing behind it tells the game which transport carries what.
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

/** A small listener set: `add` returns the removal. */
export class Listeners<T> {
  readonly #set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.#set.add(listener);
    return () => this.#set.delete(listener);
  }

  emit(value: T): void {
    for (const listener of this.#set) listener(value);
  }

  clear(): void {
    this.#set.clear();
  }
}
