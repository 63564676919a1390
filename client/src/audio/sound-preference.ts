/** The `localStorage` key of the player's sound choice. */
export const SOUND_STORAGE_KEY = 'starcatch:sound';

/** The subset of `Storage` used here, so tests can pass a Map-backed fake. */
export type SoundStorage = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * Whether the player wants sound: on unless they turned it off. A storage that throws (a privacy
 * mode) or holds anything unexpected counts as the default.
 */
export function loadSoundEnabled(storage: SoundStorage | null): boolean {
  try {
    return storage?.getItem(SOUND_STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

export function saveSoundEnabled(storage: SoundStorage | null, enabled: boolean): void {
  try {
    storage?.setItem(SOUND_STORAGE_KEY, enabled ? 'on' : 'off');
  } catch {
    // Not remembered: the choice still holds for this page.
  }
}

/** `localStorage`, or null where reading it throws (sandboxed frames, some privacy modes). */
export function browserStorage(): SoundStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
