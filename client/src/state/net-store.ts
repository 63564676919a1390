import {
  type NetworkConditions,
  NO_IMPAIRMENT,
  type PlayerTransport,
  type SocketRefusalReason,
} from '@starcatch/shared';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { NetcodeStats } from './netcode-stats.ts';

/**
 * Where the socket stands. `idle`: nobody is signed in, so there is no socket. `connecting`: the
 * first attempt for this session has not opened yet. `open`: connected. `reconnecting`: it was
 * open once and phoenix.js is trying to get it back.
 */
export type SocketStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

/** What carries the Phoenix socket: a WebSocket, or HTTP long polling where WebSockets are blocked. */
export type SocketTransport = 'websocket' | 'longpoll';

export interface NetState {
  readonly status: SocketStatus;
  /** While the socket does not open: the server refuses sockets from this address for now, and why. */
  readonly socketRefusal: SocketRefusalReason | null;
  /** The transport of the socket's latest connection; null before it first opens. */
  readonly socketTransport: SocketTransport | null;
  /** The path game traffic takes; null outside a room. */
  readonly transport: PlayerTransport | null;
  /**
   * The latest input → ack time in ms, whichever path carried it; null until measured. It is the
   * network round trip plus waiting for the server's tick and for the next snapshot.
   */
  readonly rtt: number | null;
  /** The latest input → ack time measured on each path. */
  readonly rttByTransport: Readonly<Partial<Record<PlayerTransport, number>>>;
  /**
   * The network round trip of the path in use, ms (what players call ping): a ping on the `events`
   * DataChannel, the Phoenix heartbeat on the WebSocket. Null until measured in this room.
   */
  readonly networkRtt: number | null;
  /** The latest network round trip measured on each path. */
  readonly networkRttByTransport: Readonly<Partial<Record<PlayerTransport, number>>>;
  /** What the player perceives of the netcode (the F3 overlay's figures); null outside a room. */
  readonly netcode: NetcodeStats | null;
  /** The simulated bad network this tab puts its traffic through (`?lag=…`, the F3 panel). */
  readonly impairment: NetworkConditions;
  readonly dataChannels: { readonly events: boolean; readonly state: boolean };
  /** Offer → both DataChannels open of the current peer, in ms. */
  readonly rtcOpenMs: number | null;
}

export type NetStore = StoreApi<NetState>;

export const NO_GAME_NET: Omit<NetState, 'status' | 'socketRefusal' | 'socketTransport' | 'impairment'> = {
  transport: null,
  rtt: null,
  rttByTransport: {},
  networkRtt: null,
  networkRttByTransport: {},
  netcode: null,
  dataChannels: { events: false, state: false },
  rtcOpenMs: null,
};

export function createNetStore(): NetStore {
  return createStore<NetState>()(() => ({
    status: 'idle',
    socketRefusal: null,
    socketTransport: null,
    impairment: NO_IMPAIRMENT,
    ...NO_GAME_NET,
  }));
}
