import type { PlayerTransport, SocketRefusalReason } from '@starcatch/shared';
import { createStore, type StoreApi } from 'zustand/vanilla';

/**
 * Where the socket stands. `idle`: nobody is signed in, so there is no socket. `connecting`: the
 * first attempt for this session has not opened yet. `open`: connected. `reconnecting`: it was
 * open once and phoenix.js is trying to get it back.
 */
export type SocketStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

export interface NetState {
  readonly status: SocketStatus;
  /** While the socket does not open: the server refuses sockets from this address for now, and why. */
  readonly socketRefusal: SocketRefusalReason | null;
  /** The path game traffic takes; null outside a room. */
  readonly transport: PlayerTransport | null;
  /** The latest input → ack round trip in ms, whichever path carried it; null until measured. */
  readonly rtt: number | null;
  /** The latest round trip measured on each path. */
  readonly rttByTransport: Readonly<Partial<Record<PlayerTransport, number>>>;
  readonly dataChannels: { readonly events: boolean; readonly state: boolean };
  /** Offer → both DataChannels open of the current peer, in ms. */
  readonly rtcOpenMs: number | null;
}

export type NetStore = StoreApi<NetState>;

export const NO_GAME_NET: Omit<NetState, 'status' | 'socketRefusal'> = {
  transport: null,
  rtt: null,
  rttByTransport: {},
  dataChannels: { events: false, state: false },
  rtcOpenMs: null,
};

export function createNetStore(): NetStore {
  return createStore<NetState>()(() => ({ status: 'idle', socketRefusal: null, ...NO_GAME_NET }));
}
