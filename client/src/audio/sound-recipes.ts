import { SoundCue } from './sound-cue.ts';

/** One synthesized tone: an oscillator with a fast attack and an exponential fade. */
export interface Tone {
  readonly wave: OscillatorType;
  /** Hz at the start; `glideTo` bends it over the tone's length. */
  readonly frequency: number;
  readonly glideTo?: number;
  /** Seconds after the cue starts. */
  readonly at: number;
  readonly duration: number;
  /** Peak gain, before the master volume. */
  readonly gain: number;
}

/** Note frequencies (equal temperament, A4 = 440 Hz) used below. */
const C5 = 523.25;
const E5 = 659.25;
const G5 = 783.99;
const C6 = 1046.5;
const E6 = 1318.51;
const B6 = 1975.53;
const G4 = 392;
const E4 = 329.63;

/**
 * What each cue sounds like. All short (under a second) and quiet, since catches come often; the
 * player's own catch is the brightest, another player's is a muted blip.
 */
export const SOUND_RECIPES: Readonly<Record<SoundCue, readonly Tone[]>> = {
  [SoundCue.starYours]: [
    { wave: 'triangle', frequency: E6, at: 0, duration: 0.09, gain: 0.22 },
    { wave: 'sine', frequency: B6, glideTo: B6 * 1.06, at: 0.06, duration: 0.16, gain: 0.2 },
  ],
  [SoundCue.starTheirs]: [{ wave: 'sine', frequency: 620, glideTo: 480, at: 0, duration: 0.12, gain: 0.06 }],
  [SoundCue.roundStarted]: [
    { wave: 'triangle', frequency: C5, at: 0, duration: 0.12, gain: 0.14 },
    { wave: 'triangle', frequency: E5, at: 0.1, duration: 0.12, gain: 0.14 },
    { wave: 'triangle', frequency: G5, at: 0.2, duration: 0.22, gain: 0.16 },
  ],
  [SoundCue.roundWon]: [
    { wave: 'square', frequency: C5, at: 0, duration: 0.12, gain: 0.06 },
    { wave: 'square', frequency: E5, at: 0.11, duration: 0.12, gain: 0.06 },
    { wave: 'square', frequency: G5, at: 0.22, duration: 0.12, gain: 0.06 },
    { wave: 'triangle', frequency: C6, at: 0.33, duration: 0.5, gain: 0.2 },
  ],
  [SoundCue.roundEnded]: [
    { wave: 'triangle', frequency: G5, at: 0, duration: 0.16, gain: 0.12 },
    { wave: 'triangle', frequency: E5, at: 0.14, duration: 0.16, gain: 0.12 },
    { wave: 'triangle', frequency: G4, at: 0.28, duration: 0.2, gain: 0.1 },
    { wave: 'sine', frequency: E4, at: 0.28, duration: 0.45, gain: 0.08 },
  ],
};

/** Seconds from a cue's start until its last tone has faded. */
export function recipeLength(tones: readonly Tone[]): number {
  return tones.reduce((end, tone) => Math.max(end, tone.at + tone.duration), 0);
}
