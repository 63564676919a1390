import { afterEach, describe, expect, it, vi } from 'vitest';
import { SoundCue } from '../src/audio/sound-cue.ts';
import { SoundEffects } from '../src/audio/sound-effects.ts';
import { SOUND_STORAGE_KEY, type SoundStorage } from '../src/audio/sound-preference.ts';
import { SOUND_RECIPES } from '../src/audio/sound-recipes.ts';

/** Just enough of Web Audio for SoundEffects: nodes that connect, params that take ramps. */
class FakeParam {
  value = 0;
  setValueAtTime(): this {
    return this;
  }
  exponentialRampToValueAtTime(): this {
    return this;
  }
}

class FakeNode {
  connect<T>(next: T): T {
    return next;
  }
  disconnect(): void {}
}

class FakeGain extends FakeNode {
  readonly gain = new FakeParam();
}

class FakeOscillator extends FakeNode {
  type = 'sine';
  readonly frequency = new FakeParam();
  startedAt: number | null = null;
  addEventListener(): void {}
  start(at: number): void {
    this.startedAt = at;
  }
  stop(): void {}
}

class FakeContext {
  state: 'running' | 'suspended' | 'closed' = 'running';
  currentTime = 0;
  readonly destination = new FakeNode();
  readonly oscillators: FakeOscillator[] = [];
  createGain(): FakeGain {
    return new FakeGain();
  }
  createOscillator(): FakeOscillator {
    const oscillator = new FakeOscillator();
    this.oscillators.push(oscillator);
    return oscillator;
  }
  resume(): Promise<void> {
    this.state = 'running';
    return Promise.resolve();
  }
  suspend(): Promise<void> {
    this.state = 'suspended';
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.state = 'closed';
    return Promise.resolve();
  }
}

class MemoryStorage implements SoundStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

function setUp(options: { stored?: 'on' | 'off'; activated?: boolean; noAudio?: boolean } = {}) {
  const storage = new MemoryStorage();
  if (options.stored) storage.setItem(SOUND_STORAGE_KEY, options.stored);
  const target = new EventTarget();
  const contexts: FakeContext[] = [];
  const createContext = vi.fn(() => {
    if (options.noAudio) return null;
    const context = new FakeContext();
    contexts.push(context);
    return context as unknown as AudioContext;
  });
  const sounds = new SoundEffects({ storage, target, activated: options.activated ?? false, createContext });
  return { sounds, storage, target, contexts, createContext };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SoundEffects', () => {
  it('stays silent, without even making an AudioContext, until the page has had a gesture', () => {
    const { sounds, target, contexts, createContext } = setUp();
    sounds.play(SoundCue.starYours);
    expect(createContext).not.toHaveBeenCalled();
    target.dispatchEvent(new Event('keydown'));
    sounds.play(SoundCue.starYours);
    sounds.play(SoundCue.roundStarted);
    expect(createContext).toHaveBeenCalledTimes(1);
    expect(contexts[0]?.oscillators).toHaveLength(
      SOUND_RECIPES[SoundCue.starYours].length + SOUND_RECIPES[SoundCue.roundStarted].length,
    );
  });

  it('makes its context ahead of the first sound, once the page can play, and lets it idle', () => {
    vi.useFakeTimers();
    const { target, contexts } = setUp();
    vi.runAllTimers();
    expect(contexts).toHaveLength(0);
    target.dispatchEvent(new Event('pointerdown'));
    vi.advanceTimersByTime(0);
    expect(contexts).toHaveLength(1);
    vi.runAllTimers();
    expect(contexts[0]?.state).toBe('suspended');
  });

  it('plays at once on a page that was already interacted with', () => {
    const { sounds, contexts } = setUp({ activated: true });
    sounds.play(SoundCue.starTheirs);
    expect(contexts[0]?.oscillators.length).toBeGreaterThan(0);
  });

  it('plays nothing while the player has turned sound off, and remembers the choice', () => {
    const { sounds, storage, contexts } = setUp({ stored: 'off', activated: true });
    expect(sounds.enabled).toBe(false);
    sounds.play(SoundCue.starYours);
    expect(contexts).toHaveLength(0);

    const seen: boolean[] = [];
    sounds.subscribe((enabled) => seen.push(enabled));
    sounds.toggle();
    expect(sounds.enabled).toBe(true);
    expect(storage.getItem(SOUND_STORAGE_KEY)).toBe('on');
    expect(seen).toEqual([true]);
    // Turning it on answers with a blip.
    expect(contexts[0]?.oscillators.length).toBeGreaterThan(0);

    sounds.setEnabled(false);
    expect(storage.getItem(SOUND_STORAGE_KEY)).toBe('off');
    expect(contexts[0]?.state).toBe('suspended');
    const before = contexts[0]?.oscillators.length;
    sounds.play(SoundCue.starYours);
    expect(contexts[0]?.oscillators.length).toBe(before);
  });

  it('suspends the context when idle and resumes it for the next sound', () => {
    vi.useFakeTimers();
    const { sounds, contexts } = setUp({ activated: true });
    sounds.play(SoundCue.starYours);
    const context = contexts[0] as FakeContext;
    vi.advanceTimersByTime(1000);
    expect(context.state).toBe('running');
    vi.advanceTimersByTime(5000);
    expect(context.state).toBe('suspended');
    sounds.play(SoundCue.starTheirs);
    expect(context.state).toBe('running');
  });

  it('gives up quietly, once, where the browser has no Web Audio', () => {
    const { sounds, createContext } = setUp({ activated: true, noAudio: true });
    expect(() => {
      sounds.play(SoundCue.starYours);
      sounds.play(SoundCue.starYours);
    }).not.toThrow();
    expect(createContext).toHaveBeenCalledTimes(1);
  });

  it('closes its context when disposed', () => {
    const { sounds, contexts } = setUp({ activated: true });
    sounds.play(SoundCue.roundWon);
    sounds.dispose();
    expect(contexts[0]?.state).toBe('closed');
  });
});

describe('sound recipes', () => {
  const peak = (cue: SoundCue) => Math.max(...SOUND_RECIPES[cue].map((tone) => tone.gain));
  const pitch = (cue: SoundCue) => Math.max(...SOUND_RECIPES[cue].map((tone) => tone.frequency));

  it('makes your own catch brighter and louder than someone else’s', () => {
    expect(pitch(SoundCue.starYours)).toBeGreaterThan(pitch(SoundCue.starTheirs));
    expect(peak(SoundCue.starYours)).toBeGreaterThan(peak(SoundCue.starTheirs));
  });

  it('keeps every cue short, so catches in quick succession do not pile up', () => {
    for (const tones of Object.values(SOUND_RECIPES)) {
      expect(tones.length).toBeGreaterThan(0);
      for (const tone of tones) {
        expect(tone.at + tone.duration).toBeLessThan(1);
        expect(tone.gain).toBeGreaterThan(0);
        expect(tone.gain).toBeLessThanOrEqual(0.25);
      }
    }
  });
});
