import { createStore, type StoreApi } from 'zustand/vanilla';

/**
 * Where the socket stands. `idle`: nobody is signed in, so there is no socket. `connecting`: the
 * first attempt for this session has not opened yet. `open`: connected. `reconnecting`: it was
 * open once and phoenix.js is trying to get it back.
 */
export type SocketStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

export interface NetState {
  readonly status: SocketStatus;
}

export type NetStore = StoreApi<NetState>;

export function createNetStore(): NetStore {
  return createStore<NetState>()(() => ({ status: 'idle' }));
}
