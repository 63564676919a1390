import { describe, expect, it } from 'vitest';
import {
  loadSoundEnabled,
  SOUND_STORAGE_KEY,
  type SoundStorage,
  saveSoundEnabled,
} from '../src/audio/sound-preference.ts';

class MemoryStorage implements SoundStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

/** A storage that refuses everything, as some privacy modes do. */
const refusing: SoundStorage = {
  getItem() {
    throw new Error('SecurityError');
  },
  setItem() {
    throw new Error('QuotaExceededError');
  },
};

describe('sound preference', () => {
  it('is on by default', () => {
    expect(loadSoundEnabled(new MemoryStorage())).toBe(true);
    expect(loadSoundEnabled(null)).toBe(true);
  });

  it('remembers off and on', () => {
    const storage = new MemoryStorage();
    saveSoundEnabled(storage, false);
    expect(storage.items.get(SOUND_STORAGE_KEY)).toBe('off');
    expect(loadSoundEnabled(storage)).toBe(false);
    saveSoundEnabled(storage, true);
    expect(loadSoundEnabled(storage)).toBe(true);
  });

  it('treats an unknown stored value as the default', () => {
    const storage = new MemoryStorage();
    storage.setItem(SOUND_STORAGE_KEY, 'loud');
    expect(loadSoundEnabled(storage)).toBe(true);
  });

  it('survives a storage that throws', () => {
    expect(loadSoundEnabled(refusing)).toBe(true);
    expect(() => saveSoundEnabled(refusing, false)).not.toThrow();
  });
});
