import { createLobbyStore, type LobbyStore } from './lobby-store.ts';
import { createNetStore, type NetStore } from './net-store.ts';
import type { KeyValueStorage } from './session-persistence.ts';
import { createSessionStore, type SessionStore } from './session-store.ts';

/** Every store of one running client. Later issues add `room`, `chat` and `game` here. */
export interface Stores {
  readonly session: SessionStore;
  readonly lobby: LobbyStore;
  readonly net: NetStore;
}

export function createStores(storage: KeyValueStorage | null): Stores {
  return { session: createSessionStore(storage), lobby: createLobbyStore(), net: createNetStore() };
}
