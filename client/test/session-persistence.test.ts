import { describe, expect, it } from 'vitest';
import {
  type KeyValueStorage,
  loadSession,
  SESSION_STORAGE_KEY,
  saveSession,
} from '../src/state/session-persistence.ts';
import { createSessionStore, isSignedIn } from '../src/state/session-store.ts';

class MemoryStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

const user = { id: 'u1', nickname: 'Vega', color: '#ffd93d' };

describe('session persistence', () => {
  it('round-trips a signed-in session', () => {
    const storage = new MemoryStorage();
    saveSession(storage, { nickname: 'Vega', token: 't0k3n', user });
    expect(loadSession(storage)).toEqual({ version: 1, nickname: 'Vega', token: 't0k3n', user });
  });

  it('treats unreadable or foreign data as nothing stored', () => {
    const storage = new MemoryStorage();
    for (const raw of ['{not json', 'null', '42', '{"version":99,"nickname":"Vega"}', '{"version":1}']) {
      storage.setItem(SESSION_STORAGE_KEY, raw);
      expect(loadSession(storage), raw).toBeNull();
    }
  });

  it('keeps only the nickname of half a session (a token without its user)', () => {
    const storage = new MemoryStorage();
    storage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ version: 1, nickname: 'Vega', token: 't', user: { id: 1 } }));
    expect(loadSession(storage)).toEqual({ version: 1, nickname: 'Vega', token: null, user: null });
  });

  it('survives a storage that throws, as browsers do with storage disabled', () => {
    const broken: KeyValueStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    expect(loadSession(broken)).toBeNull();
    expect(() => saveSession(broken, { nickname: 'Vega', token: null, user: null })).not.toThrow();
  });
});

describe('session store', () => {
  it('starts from what was stored and writes every change back', () => {
    const storage = new MemoryStorage();
    saveSession(storage, { nickname: 'Vega', token: 't0k3n', user });
    const store = createSessionStore(storage);
    expect(isSignedIn(store.getState())).toBe(true);

    store.setState({ token: null, user: null });
    expect(isSignedIn(store.getState())).toBe(false);
    expect(loadSession(storage)).toEqual({ version: 1, nickname: 'Vega', token: null, user: null });
  });

  it('does not persist the sign-out notice', () => {
    const storage = new MemoryStorage();
    const store = createSessionStore(storage);
    store.setState({ notice: 'expired' });
    expect(storage.items.size).toBe(0);
    expect(createSessionStore(storage).getState().notice).toBeNull();
  });
});
