import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OnlineUser } from './online-users.ts';

/** `idle`: not in the lobby. `joining`: the join (or a rejoin after a drop) has no reply yet. */
export type LobbyStatus = 'idle' | 'joining' | 'joined';

export interface LobbyState {
  readonly status: LobbyStatus;
  /** Everyone in the lobby, one entry per user, sorted by nickname. */
  readonly online: readonly OnlineUser[];
}

export type LobbyStore = StoreApi<LobbyState>;

export const EMPTY_LOBBY: LobbyState = { status: 'idle', online: [] };

export function createLobbyStore(): LobbyStore {
  return createStore<LobbyState>()(() => EMPTY_LOBBY);
}
