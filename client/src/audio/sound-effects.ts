import { SoundCue } from './sound-cue.ts';
import { loadSoundEnabled, type SoundStorage, saveSoundEnabled } from './sound-preference.ts';
import { recipeLength, SOUND_RECIPES, type Tone } from './sound-recipes.ts';

/** Overall volume under the recipes' own gains. */
const MASTER_GAIN = 0.7;
/** Attack of every tone: short enough to sound immediate, long enough not to click. */
const ATTACK_SECONDS = 0.006;
/** Exponential ramps cannot reach 0; this is inaudible. */
const SILENT_GAIN = 0.0001;
/** Tones are scheduled this far ahead so that their start is never already in the past. */
const SCHEDULE_AHEAD_SECONDS = 0.01;
/**
 * A running AudioContext keeps an audio thread busy even when silent, which a tab on a small
 * machine feels; it is suspended this long after its last sound and resumed by the next one.
 */
const SUSPEND_AFTER_IDLE_MS = 2000;
/**
 * The first AudioContext of a page blocks the main thread while the audio device opens (81 ms
 * measured in headless Chromium, later ones 2–5 ms). It is made ahead of the first sound, at a
 * moment where a hitch goes unnoticed, this long after the page became able to play.
 */
const WARM_UP_DELAY_MS = 0;
/** The gestures after which browsers let a page start audio. */
const UNLOCKING_EVENTS = ['pointerdown', 'keydown'] as const;

export interface SoundEffectsOptions {
  /** Where the player's choice is remembered; null remembers nothing. */
  readonly storage: SoundStorage | null;
  /** Listened to for the first gesture; the window by default. */
  readonly target?: EventTarget;
  /** Whether the page has already had a gesture (sticky user activation) when this starts. */
  readonly activated?: boolean;
  /** Makes the context on first use; null where there is no Web Audio. Replaced in tests. */
  readonly createContext?: () => AudioContext | null;
}

function createBrowserContext(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  try {
    return new AudioContext({ latencyHint: 'interactive' });
  } catch {
    return null;
  }
}

function pageWasActivated(): boolean {
  return typeof navigator !== 'undefined' && (navigator.userActivation?.hasBeenActive ?? false);
}

/**
 * The game's sound effects, synthesized with Web Audio (no files to load). Silent until the page
 * has had a gesture, as browsers refuse to start audio before one; the context itself is only made
 * when the first sound plays. The player's on/off choice is kept in storage; on by default.
 */
export class SoundEffects {
  readonly #storage: SoundStorage | null;
  readonly #target: EventTarget | null;
  readonly #createContext: () => AudioContext | null;
  readonly #listeners = new Set<(enabled: boolean) => void>();
  #enabled: boolean;
  #unlocked: boolean;
  #context: AudioContext | null = null;
  #master: GainNode | null = null;
  /** Set once making a context failed, so a page without audio does not retry on every catch. */
  #unavailable = false;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #warmUpTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: SoundEffectsOptions) {
    this.#storage = options.storage;
    this.#createContext = options.createContext ?? createBrowserContext;
    this.#enabled = loadSoundEnabled(options.storage);
    this.#unlocked = options.activated ?? pageWasActivated();
    this.#target = this.#unlocked ? null : (options.target ?? (typeof window === 'undefined' ? null : window));
    for (const type of UNLOCKING_EVENTS) this.#target?.addEventListener(type, this.#unlock, { capture: true });
    this.#warmUp();
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Turns sound on or off and remembers it. Turning it on plays a soft blip, so the player hears it worked. */
  setEnabled(enabled: boolean): void {
    if (enabled === this.#enabled) return;
    this.#enabled = enabled;
    saveSoundEnabled(this.#storage, enabled);
    for (const listener of this.#listeners) listener(enabled);
    if (enabled) this.play(SoundCue.starTheirs);
    else this.#suspend();
  }

  toggle(): void {
    this.setEnabled(!this.#enabled);
  }

  /** Calls `listener` with every change of the on/off choice; returns the unsubscribe. */
  subscribe(listener: (enabled: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  play(cue: SoundCue): void {
    if (!this.#enabled || !this.#unlocked) return;
    const context = this.#ensureContext();
    const master = this.#master;
    if (!context || !master) return;
    clearTimeout(this.#idleTimer);
    // Tones scheduled on a suspended context wait for it: they start when `resume` has taken effect.
    if (context.state === 'suspended') context.resume().catch(() => {});
    const tones = SOUND_RECIPES[cue];
    const start = context.currentTime + SCHEDULE_AHEAD_SECONDS;
    for (const tone of tones) playTone(context, master, tone, start);
    this.#idleTimer = setTimeout(() => this.#suspend(), recipeLength(tones) * 1000 + SUSPEND_AFTER_IDLE_MS);
  }

  dispose(): void {
    this.#stopListening();
    this.#listeners.clear();
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#warmUpTimer);
    this.#context?.close().catch(() => {});
    this.#context = null;
    this.#master = null;
  }

  readonly #unlock = (): void => {
    this.#unlocked = true;
    this.#stopListening();
    this.#warmUp();
  };

  /**
   * Makes the context before the first sound needs it (see WARM_UP_DELAY_MS), then lets it fall
   * idle. Outside the gesture's own handler, so the key or click that unlocked audio is not held up.
   */
  #warmUp(): void {
    if (!this.#enabled || !this.#unlocked || this.#context || this.#unavailable) return;
    clearTimeout(this.#warmUpTimer);
    this.#warmUpTimer = setTimeout(() => {
      // A sound may have made it meanwhile, and set its own idle timer.
      if (!this.#enabled || this.#context || !this.#ensureContext()) return;
      this.#idleTimer = setTimeout(() => this.#suspend(), SUSPEND_AFTER_IDLE_MS);
    }, WARM_UP_DELAY_MS);
  }

  #stopListening(): void {
    for (const type of UNLOCKING_EVENTS) this.#target?.removeEventListener(type, this.#unlock, { capture: true });
  }

  #ensureContext(): AudioContext | null {
    if (this.#context || this.#unavailable) return this.#context;
    const context = this.#createContext();
    if (!context) {
      this.#unavailable = true;
      return null;
    }
    const master = context.createGain();
    master.gain.value = MASTER_GAIN;
    master.connect(context.destination);
    this.#context = context;
    this.#master = master;
    return context;
  }

  #suspend(): void {
    clearTimeout(this.#idleTimer);
    if (this.#context?.state === 'running') this.#context.suspend().catch(() => {});
  }
}

/** One tone: an oscillator through its own envelope into the master gain, freed when it stops. */
function playTone(context: AudioContext, master: GainNode, tone: Tone, cueStart: number): void {
  const start = cueStart + tone.at;
  const end = start + tone.duration;
  const oscillator = context.createOscillator();
  oscillator.type = tone.wave;
  oscillator.frequency.setValueAtTime(tone.frequency, start);
  if (tone.glideTo !== undefined) oscillator.frequency.exponentialRampToValueAtTime(tone.glideTo, end);
  const envelope = context.createGain();
  envelope.gain.setValueAtTime(SILENT_GAIN, start);
  envelope.gain.exponentialRampToValueAtTime(tone.gain, start + ATTACK_SECONDS);
  envelope.gain.exponentialRampToValueAtTime(SILENT_GAIN, end);
  oscillator.connect(envelope).connect(master);
  oscillator.addEventListener('ended', () => envelope.disconnect(), { once: true });
  oscillator.start(start);
  oscillator.stop(end);
}
