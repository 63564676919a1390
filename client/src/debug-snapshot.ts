import type {
  NetworkConditions,
  PlayerTransport,
  RoomSummary,
  RoomState as RoundPhase,
  StarJson,
  User,
} from '@starcatch/shared';
import type { Actions } from './app.ts';
import type { ChatEntry } from './state/chat-log.ts';
import type { LobbyState } from './state/lobby-store.ts';
import type { SocketStatus, SocketTransport } from './state/net-store.ts';
import type { NetcodeStats } from './state/netcode-stats.ts';
import type { PendingChat } from './state/pending-chat.ts';
import type { RoomMember } from './state/room-members.ts';
import { currentRoom } from './state/room-store.ts';
import { isSignedIn } from './state/session-store.ts';
import type { Stores } from './state/stores.ts';

/** The room the player is in, as `state().room` shows it. */
export interface RoomSnapshot extends RoomSummary {
  /** `rejoining` while the socket is down and phoenix.js is getting the room back. */
  readonly status: 'joined' | 'rejoining';
  readonly slot: number;
  /** One entry per player, however many of their tabs are in the room. */
  readonly members: readonly RoomMember[];
}

/** Both chats and the unconfirmed messages; see `debug-handle.ts` for the meaning of each field. */
export interface ChatSnapshot {
  readonly lobby: readonly ChatEntry[];
  readonly room: readonly ChatEntry[];
  readonly pending: readonly PendingChat[];
}

/** One player of the match; `x`, `y` are the newest snapshot's (the server's) position. */
export interface GamePlayerSnapshot {
  readonly id: string;
  readonly nickname: string;
  readonly slot: number;
  readonly x: number;
  readonly y: number;
  readonly score: number;
}

/** The match of the room the player is in; empty outside a room. */
export interface GameSnapshot {
  /** This player's user id while in a room, else null. */
  readonly you: string | null;
  readonly players: readonly GamePlayerSnapshot[];
  readonly stars: readonly StarJson[];
  readonly round: {
    readonly phase: RoundPhase;
    readonly round: number;
    /** Until the current phase ends; null while waiting for players. */
    readonly remainingMs: number | null;
    readonly winners: readonly number[];
  };
}

/**
 * A plain, deeply frozen copy of the client's state for tests and the console. The token is left
 * out on purpose: a snapshot pasted into a bug report must not carry a credential. `game` joins it
 * with the game.
 */
export interface DebugSnapshot {
  readonly session: {
    readonly signedIn: boolean;
    readonly nickname: string;
    readonly user: User | null;
    readonly notice: string | null;
  };
  readonly lobby: LobbyState;
  /** Null outside a room, and while the first join of one is on its way. */
  readonly room: RoomSnapshot | null;
  readonly chat: ChatSnapshot;
  readonly net: {
    readonly status: SocketStatus;
    /** What carries the socket: `websocket`, or `longpoll` after the fallback; null before it opens. */
    readonly socketTransport: SocketTransport | null;
    /** The path game traffic takes; null outside a room. */
    readonly transport: PlayerTransport | null;
    /** Latest input → ack time in ms (network round trip plus tick and snapshot waits); null until measured. */
    readonly rtt: number | null;
    /** The latest input → ack time measured on each path, since the room was entered. */
    readonly rttByTransport: Readonly<Partial<Record<PlayerTransport, number>>>;
    /** The network round trip of the path in use (ping on `events`, or the Phoenix heartbeat), ms. */
    readonly networkRtt: number | null;
    readonly networkRttByTransport: Readonly<Partial<Record<PlayerTransport, number>>>;
    /** What the player perceives of the netcode (see `NetcodeStats`); null outside a room. */
    readonly netcode: NetcodeStats | null;
    /** The simulated bad network this tab plays through (`?lag=…`, the F3 panel). */
    readonly impairment: NetworkConditions;
    readonly dataChannels: { readonly events: boolean; readonly state: boolean };
    /** Offer → both DataChannels open of the current peer, in ms. */
    readonly rtcOpenMs: number | null;
  };
  readonly game: GameSnapshot;
}

/** The functions behind the UI, as `window.__starcatch.actions` exposes them: the app's own actions. */
export type DebugActions = Actions;

export interface DebugHandle {
  state(): DebugSnapshot;
  readonly actions: DebugActions;
}

declare global {
  interface Window {
    /** Present in dev and test builds, and in production with `?debug=1`. */
    __starcatch?: DebugHandle;
  }
}

export function takeSnapshot(stores: Stores): DebugSnapshot {
  const session = stores.session.getState();
  const lobby = stores.lobby.getState();
  const room = stores.room.getState();
  const chat = stores.chat.getState();
  const net = stores.net.getState();
  const { match } = stores.game.getState();
  const summary = currentRoom(room, lobby.rooms);
  const now = performance.now();
  return deepFreeze(
    structuredClone({
      session: {
        signedIn: isSignedIn(session),
        nickname: session.nickname,
        user: session.user,
        notice: session.notice,
      },
      lobby: { status: lobby.status, online: lobby.online, rooms: lobby.rooms },
      room:
        summary === null || room.slot === null
          ? null
          : {
              ...summary,
              status: room.status === 'rejoining' ? 'rejoining' : 'joined',
              slot: room.slot,
              members: room.members,
            },
      chat: { lobby: chat.lobby, room: chat.room, pending: chat.pending },
      net: {
        status: net.status,
        socketTransport: net.socketTransport,
        transport: net.transport,
        rtt: net.rtt,
        rttByTransport: net.rttByTransport,
        networkRtt: net.networkRtt,
        networkRttByTransport: net.networkRttByTransport,
        netcode: net.netcode,
        impairment: net.impairment,
        dataChannels: net.dataChannels,
        rtcOpenMs: net.rtcOpenMs,
      },
      game: {
        you: summary === null ? null : (session.user?.id ?? null),
        players: match.players.map(({ id, nickname, slot, x, y, score }) => ({ id, nickname, slot, x, y, score })),
        stars: match.stars,
        round: {
          phase: match.round.phase,
          round: match.round.round,
          remainingMs: match.round.endsAt === null ? null : Math.max(0, Math.round(match.round.endsAt - now)),
          winners: match.round.winners,
        },
      },
    }),
  );
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
