import type { Match } from '../state/match.ts';

/** The moments of a match that make a sound. */
export const SoundCue = {
  /** You took a star: bright and quick. */
  starYours: 'star-yours',
  /** Someone else took one: soft, so it informs without nagging. */
  starTheirs: 'star-theirs',
  roundStarted: 'round-started',
  /** The round ended and you are among its winners. */
  roundWon: 'round-won',
  /** The round ended and you are not among its winners (or nobody scored). */
  roundEnded: 'round-ended',
} as const;
export type SoundCue = (typeof SoundCue)[keyof typeof SoundCue];

/**
 * The cues that lead from one view of the match to the next, in the order they should sound.
 * Catches are read from score rises, which the tab learns from the `score_changed` event or from
 * a snapshot, whichever comes first, so each catch sounds once. A `sync` (joining, or catching up
 * after a reconnect) is silent: what it brings happened while the player was not watching.
 */
export function cuesBetween(previous: Match, next: Match, youId: string): SoundCue[] {
  if (previous === next || previous.syncTick !== next.syncTick) return [];
  const before = previous.round;
  const after = next.round;
  if (before.phase !== after.phase || before.round !== after.round) {
    if (after.phase === 'playing') return [SoundCue.roundStarted];
    if (before.phase === 'playing' && after.phase === 'intermission') {
      const yourSlot = next.players.find((player) => player.id === youId)?.slot;
      return [yourSlot !== undefined && after.winners.includes(yourSlot) ? SoundCue.roundWon : SoundCue.roundEnded];
    }
    return [];
  }
  if (after.phase !== 'playing') return [];
  const scores = new Map(previous.players.map((player) => [player.id, player.score]));
  let yours = false;
  let theirs = false;
  for (const player of next.players) {
    const was = scores.get(player.id);
    if (was === undefined || player.score <= was) continue;
    if (player.id === youId) yours = true;
    else theirs = true;
  }
  const cues: SoundCue[] = [];
  if (yours) cues.push(SoundCue.starYours);
  if (theirs) cues.push(SoundCue.starTheirs);
  return cues;
}
