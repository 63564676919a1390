/**
 * The game's view of a room's link is `GameConnection`, defined on the game's side
 * (`game/game-connection.ts`) and implemented here by `TransportSwitch`; re-exported for the
 * implementers (`net/`, the bench's bots).
 */
export type { GameConnection } from '../game/game-connection.ts';

/** Whether each DataChannel of the current peer is open. */
export interface DataChannelStates {
  readonly events: boolean;
  readonly state: boolean;
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
