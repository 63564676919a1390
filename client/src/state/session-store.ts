import type { User } from '@starcatch/shared';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { type KeyValueStorage, loadSession, saveSession } from './session-persistence.ts';

export interface SessionState {
  /** The last nickname used, offered again on the sign-in screen. */
  readonly nickname: string;
  /** The signed session token; null while signed out. */
  readonly token: string | null;
  readonly user: User | null;
  /** Why the player was signed out without asking for it (a refused token), shown on sign-in. */
  readonly notice: string | null;
}

export type SessionStore = StoreApi<SessionState>;

export function isSignedIn(session: SessionState): session is SessionState & { token: string; user: User } {
  return session.token !== null && session.user !== null;
}

/** The session store, loaded from `storage` and written back to it on every change. */
export function createSessionStore(storage: KeyValueStorage | null): SessionStore {
  const stored = loadSession(storage);
  const store = createStore<SessionState>()(() => ({
    nickname: stored?.nickname ?? '',
    token: stored?.token ?? null,
    user: stored?.user ?? null,
    notice: null,
  }));
  store.subscribe((next, previous) => {
    if (next.nickname === previous.nickname && next.token === previous.token && next.user === previous.user) return;
    saveSession(storage, { nickname: next.nickname, token: next.token, user: next.user });
  });
  return store;
}
