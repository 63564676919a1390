import {
  type ChatMessage,
  ErrorCode,
  type LeaderboardEntry,
  type NetworkConditions,
  type NetworkImpairment,
  type RoomSummary,
  validateNickname,
} from '@starcatch/shared';
import type { GameConnection } from './game/game-connection.ts';
import { ChannelRequestError } from './net/channel-request-error.ts';
import { createTabImpairment } from './net/impaired-link.ts';
import { fetchLeaderboard } from './net/leaderboard-api.ts';
import { ApiRequestError, checkSession, type Fetch, requestSession } from './net/session-api.ts';
import { SessionConnection } from './net/session-connection.ts';
import { DEFAULT_NET_TIMING, type NetTiming } from './net/timing.ts';
import type { KeyValueStorage } from './state/session-persistence.ts';
import { isSignedIn } from './state/session-store.ts';
import { createStores, type Stores } from './state/stores.ts';

/** What the client needs from its surroundings; `main.ts` passes the browser's. */
export interface AppEnvironment {
  readonly storage: KeyValueStorage | null;
  readonly fetch: Fetch;
  /** Prefix of the HTTP API routes; empty for the page's own origin. */
  readonly apiBaseUrl?: string;
  /** The Phoenix socket endpoint: `/socket` on the page's origin, or a full `ws://` URL. */
  readonly socketEndpoint: string;
  readonly timing?: Partial<NetTiming>;
  /** Epoch milliseconds, sub-millisecond where the platform allows; stamps chat arrivals. */
  readonly now?: () => number;
  /** False plays over the WebSocket only; the page passes false for `?rtc=off`. */
  readonly webrtc?: boolean;
  /** `relay` makes WebRTC use TURN relays only: the `?relay=1` debug flag, to try a TURN server. */
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
  /** A simulated bad network to start with (`?lag=…&jitter=…&loss=…`); none by default. */
  readonly impairment?: NetworkConditions;
}

/**
 * What the player can do. The UI and `window.__starcatch.actions` call the same functions; every
 * rejection carries a message fit to show the player (`ChannelRequestError` says the reason too).
 */
export interface Actions {
  /** Signs in as a new guest and joins the lobby. */
  signIn(nickname: string): Promise<void>;
  /** Leaves everything and forgets the token; the nickname stays for next time. */
  signOut(): Promise<void>;
  /** Opens a room and enters it; resolves with the room once joined. */
  createRoom(name: string, maxPlayers: number): Promise<RoomSummary>;
  /** Enters the fullest room with a free slot, or a new one; resolves with it once joined. */
  quickPlay(): Promise<RoomSummary>;
  /** Enters a room (leaving the current one); resolves once joined, rejects with the server's reason. */
  joinRoom(id: string): Promise<RoomSummary>;
  /** Leaves the current room, if any, for the lobby. */
  leaveRoom(): Promise<void>;
  /** Chat to the room the player is in, else to the lobby; resolves with the stored message. */
  sendChat(text: string): Promise<ChatMessage>;
  /** Sends a failed message again. */
  retryChat(localId: string): Promise<ChatMessage>;
  /** Drops a failed message. */
  discardChat(localId: string): Promise<void>;
}

export interface App {
  readonly stores: Stores;
  readonly actions: Actions;
  /** Reconnects a session remembered from an earlier visit, if there is one. */
  resume(): void;
  /**
   * The game traffic of the room the player is in, as the game sees it (the network implements the
   * game's `GameConnection`, so nothing above `net/` sees a socket); null outside a room.
   */
  gameLink(): GameConnection | null;
  /** Bytes of that game traffic in and out since the room was joined; zeros outside a room. */
  gameBytes(): { readonly in: number; readonly out: number };
  /** The best `limit` players over every finished round (`GET /api/v1/leaderboard`). */
  loadLeaderboard(limit: number): Promise<LeaderboardEntry[]>;
  /** The simulated bad network under both game paths; the F3 panel sets its conditions live. */
  readonly impairment: NetworkImpairment;
}

/** Shown on the sign-in screen after the server refused a stored or live token. */
export const SESSION_REFUSED_NOTICE = 'Your session has expired. Sign in again to keep playing.';

export function createApp(env: AppEnvironment): App {
  const stores = createStores(env.storage);
  const timing: NetTiming = { ...DEFAULT_NET_TIMING, ...env.timing };
  const apiBaseUrl = env.apiBaseUrl ?? '';
  const now = env.now ?? (() => performance.timeOrigin + performance.now());
  const impairment = createTabImpairment(env.impairment);
  stores.net.setState({ impairment: impairment.conditions });
  impairment.subscribe((conditions) => stores.net.setState({ impairment: conditions }));
  let connection: SessionConnection | null = null;
  /** Bumped by every sign-in and sign-out, so a slow sign-in cannot overwrite a newer one. */
  let generation = 0;

  function connect(token: string, userId: string): SessionConnection {
    connection?.close();
    const current = new SessionConnection({
      endpoint: env.socketEndpoint,
      token,
      userId,
      stores,
      timing,
      now,
      webrtc: env.webrtc ?? true,
      ...(env.iceTransportPolicy && { iceTransportPolicy: env.iceTransportPolicy }),
      impairment,
      checkSession: () =>
        checkSession(env.fetch, token, { baseUrl: apiBaseUrl, timeoutMs: timing.sessionCheckTimeoutMs }),
      onRefused: () => {
        if (connection !== current) return;
        connection = null;
        generation++;
        stores.session.setState({ token: null, user: null, notice: SESSION_REFUSED_NOTICE });
      },
    });
    connection = current;
    return current;
  }

  function disconnect(): void {
    connection?.close();
    connection = null;
  }

  function connected(): SessionConnection {
    if (connection === null) throw new ChannelRequestError('closed', 'Sign in first.');
    return connection;
  }

  async function enter(roomId: string): Promise<RoomSummary> {
    const { room } = await connected().joinRoom(roomId);
    return room;
  }

  const actions: Actions = {
    async signIn(nickname) {
      const checked = validateNickname(nickname);
      if (!checked.ok) throw new ApiRequestError(checked.message, ErrorCode.invalidNickname, 0);
      const attempt = ++generation;
      const grant = await requestSession(env.fetch, checked.nickname, {
        baseUrl: apiBaseUrl,
        timeoutMs: timing.signInTimeoutMs,
      });
      if (attempt !== generation) throw new Error('A newer sign-in or sign-out replaced this one.');
      // Connected before the session store says so: its subscribers (the router following a room
      // link) may call actions right away.
      const current = connect(grant.token, grant.user.id);
      stores.session.setState({ nickname: grant.user.nickname, token: grant.token, user: grant.user, notice: null });
      await current.ready;
    },

    async signOut() {
      generation++;
      disconnect();
      stores.session.setState({ token: null, user: null, notice: null });
    },

    async createRoom(name, maxPlayers) {
      const room = await connected().createRoom(name, maxPlayers);
      return enter(room.id);
    },

    async quickPlay() {
      let room: RoomSummary;
      try {
        room = await connected().quickPlay();
      } catch (error) {
        // The lobby has no form for quick play: a refusal (too many rooms, too fast) shows as the notice.
        if (error instanceof ChannelRequestError && stores.room.getState().roomId === null) {
          stores.room.setState({ refusal: error.toChannelError() });
        }
        throw error;
      }
      return enter(room.id);
    },

    async joinRoom(id) {
      return enter(id);
    },

    async leaveRoom() {
      connection?.leaveRoom();
    },

    async sendChat(text) {
      return connected().sendChat(text);
    },

    async retryChat(localId) {
      return connected().retryChat(localId);
    },

    async discardChat(localId) {
      connection?.discardChat(localId);
    },
  };

  return {
    stores,
    actions,
    resume() {
      const session = stores.session.getState();
      if (isSignedIn(session) && connection === null) connect(session.token, session.user.id);
    },
    gameLink: () => connection?.gameLink ?? null,
    gameBytes: () => connection?.gameLink?.bytes ?? { in: 0, out: 0 },
    loadLeaderboard: (limit) =>
      fetchLeaderboard(env.fetch, { baseUrl: apiBaseUrl, limit, timeoutMs: timing.pushTimeoutMs }),
    impairment,
  };
}
