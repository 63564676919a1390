import type { User } from '@starcatch/shared';

/** The `localStorage` key of the remembered session; e2e tests write it to fake a stored token. */
export const SESSION_STORAGE_KEY = 'starcatch:session';

/** Bump when the stored shape changes; older or unknown versions are ignored, not migrated. */
export const SESSION_STORAGE_VERSION = 1;

/** What survives a reload: the last nickname, and the token and user while signed in. */
export interface PersistedSession {
  readonly version: typeof SESSION_STORAGE_VERSION;
  readonly nickname: string;
  readonly token: string | null;
  readonly user: User | null;
}

/** The subset of `Storage` we use, so tests can pass a Map-backed fake. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * Reads the stored session. Anything unreadable (another version, hand-edited JSON, a storage that
 * throws in a privacy mode) counts as nothing stored: the player just signs in again.
 */
export function loadSession(storage: KeyValueStorage | null): PersistedSession | null {
  let raw: string | null;
  try {
    raw = storage?.getItem(SESSION_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
  if (raw === null) return null;
  try {
    return parseSession(JSON.parse(raw));
  } catch {
    return null;
  }
}

export function saveSession(storage: KeyValueStorage | null, session: Omit<PersistedSession, 'version'>): void {
  const value: PersistedSession = { version: SESSION_STORAGE_VERSION, ...session };
  try {
    storage?.setItem(SESSION_STORAGE_KEY, JSON.stringify(value));
  } catch {
    // A full or disabled storage only costs the player a sign-in on the next visit.
  }
}

function parseSession(value: unknown): PersistedSession | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.version !== SESSION_STORAGE_VERSION || typeof v.nickname !== 'string') return null;
  const token = typeof v.token === 'string' && v.token !== '' ? v.token : null;
  const user = parseUser(v.user);
  // A token without its user (or the reverse) is half a session: keep only the nickname.
  if (token === null || user === null)
    return { version: SESSION_STORAGE_VERSION, nickname: v.nickname, token: null, user: null };
  return { version: SESSION_STORAGE_VERSION, nickname: v.nickname, token, user };
}

function parseUser(value: unknown): User | null {
  if (typeof value !== 'object' || value === null) return null;
  const { id, nickname, color } = value as Record<string, unknown>;
  if (typeof id !== 'string' || typeof nickname !== 'string' || typeof color !== 'string') return null;
  return { id, nickname, color };
}
