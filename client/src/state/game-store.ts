import { createStore, type StoreApi } from 'zustand/vanilla';
import { EMPTY_MATCH, type Match } from './match.ts';

/** The match of the room the player is in (empty outside a room) and netcode figures for the overlay. */
export interface GameState {
  readonly match: Match;
}

export type GameStore = StoreApi<GameState>;

export function createGameStore(): GameStore {
  return createStore<GameState>()(() => ({ match: EMPTY_MATCH }));
}
