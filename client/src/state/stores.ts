import { type ChatStore, createChatStore } from './chat-store.ts';
import { createGameStore, type GameStore } from './game-store.ts';
import { createLobbyStore, type LobbyStore } from './lobby-store.ts';
import { createNetStore, type NetStore } from './net-store.ts';
import { createRoomStore, type RoomStore } from './room-store.ts';
import type { KeyValueStorage } from './session-persistence.ts';
import { createSessionStore, type SessionStore } from './session-store.ts';

/** Every store of one running client. */
export interface Stores {
  readonly session: SessionStore;
  readonly lobby: LobbyStore;
  readonly room: RoomStore;
  readonly chat: ChatStore;
  readonly net: NetStore;
  readonly game: GameStore;
}

export function createStores(storage: KeyValueStorage | null): Stores {
  return {
    session: createSessionStore(storage),
    lobby: createLobbyStore(),
    room: createRoomStore(),
    chat: createChatStore(),
    net: createNetStore(),
    game: createGameStore(),
  };
}
