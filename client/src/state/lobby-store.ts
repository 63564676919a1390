import type { RoomSummary } from '@starcatch/shared';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OnlineUser } from './online-users.ts';

/** `idle`: not in the lobby. `joining`: the join (or a rejoin after a drop) has no reply yet. */
export type LobbyStatus = 'idle' | 'joining' | 'joined';

export interface LobbyState {
  readonly status: LobbyStatus;
  /** Everyone in the lobby, one entry per user, sorted by nickname. */
  readonly online: readonly OnlineUser[];
  /** Open rooms in the order they opened; replaced by every (re)join reply, then kept live. */
  readonly rooms: readonly RoomSummary[];
}

export type LobbyStore = StoreApi<LobbyState>;

export const EMPTY_LOBBY: LobbyState = { status: 'idle', online: [], rooms: [] };

export function createLobbyStore(): LobbyStore {
  return createStore<LobbyState>()(() => EMPTY_LOBBY);
}
