import { validateNickname } from '@starcatch/shared';
import { ApiRequestError, type Fetch, isServerUp, requestSession } from './net/session-api.ts';
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
}

/** What the player can do. The UI and `window.__starcatch.actions` call the same functions. */
export interface Actions {
  /** Signs in as a new guest and joins the lobby; rejects with a message fit to show the player. */
  signIn(nickname: string): Promise<void>;
  /** Leaves everything and forgets the token; the nickname stays for next time. */
  signOut(): Promise<void>;
}

export interface App {
  readonly stores: Stores;
  readonly actions: Actions;
  /** Reconnects a session remembered from an earlier visit, if there is one. */
  resume(): void;
}

/** Shown on the sign-in screen after the server refused a stored or live token. */
export const SESSION_REFUSED_NOTICE = 'Your session has expired. Sign in again to keep playing.';

export function createApp(env: AppEnvironment): App {
  const stores = createStores(env.storage);
  const timing: NetTiming = { ...DEFAULT_NET_TIMING, ...env.timing };
  const apiBaseUrl = env.apiBaseUrl ?? '';
  let connection: SessionConnection | null = null;
  /** Bumped by every sign-in and sign-out, so a slow sign-in cannot overwrite a newer one. */
  let generation = 0;

  function connect(token: string): SessionConnection {
    connection?.close();
    const current = new SessionConnection({
      endpoint: env.socketEndpoint,
      token,
      net: stores.net,
      lobby: stores.lobby,
      timing,
      probeServer: () => isServerUp(env.fetch, { baseUrl: apiBaseUrl, timeoutMs: timing.healthProbeTimeoutMs }),
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

  const actions: Actions = {
    async signIn(nickname) {
      const checked = validateNickname(nickname);
      if (!checked.ok) throw new ApiRequestError(checked.message, 'invalid_nickname', 0);
      const attempt = ++generation;
      const grant = await requestSession(env.fetch, checked.nickname, {
        baseUrl: apiBaseUrl,
        timeoutMs: timing.signInTimeoutMs,
      });
      if (attempt !== generation) throw new Error('A newer sign-in or sign-out replaced this one.');
      disconnect();
      stores.session.setState({ nickname: grant.user.nickname, token: grant.token, user: grant.user, notice: null });
      await connect(grant.token).ready;
    },

    async signOut() {
      generation++;
      disconnect();
      stores.session.setState({ token: null, user: null, notice: null });
    },
  };

  return {
    stores,
    actions,
    resume() {
      const session = stores.session.getState();
      if (isSignedIn(session) && connection === null) connect(session.token);
    },
  };
}
