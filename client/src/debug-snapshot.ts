import type { User } from '@starcatch/shared';
import type { LobbyState } from './state/lobby-store.ts';
import type { SocketStatus } from './state/net-store.ts';
import { isSignedIn } from './state/session-store.ts';
import type { Stores } from './state/stores.ts';

/**
 * A plain, deeply frozen copy of the client's state for tests and the console. Only what exists
 * today; `room`, `chat` and `game` join it with their features. The token is left out on purpose:
 * a snapshot pasted into a bug report must not carry a credential.
 */
export interface DebugSnapshot {
  readonly session: {
    readonly signedIn: boolean;
    readonly nickname: string;
    readonly user: User | null;
    readonly notice: string | null;
  };
  readonly lobby: LobbyState;
  readonly net: { readonly status: SocketStatus };
}

/** The functions behind the UI, as `window.__starcatch.actions` exposes them. */
export interface DebugActions {
  signIn(nickname: string): Promise<void>;
  signOut(): Promise<void>;
}

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
  const net = stores.net.getState();
  return deepFreeze(
    structuredClone({
      session: {
        signedIn: isSignedIn(session),
        nickname: session.nickname,
        user: session.user,
        notice: session.notice,
      },
      lobby: { status: lobby.status, online: lobby.online },
      net: { status: net.status },
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
