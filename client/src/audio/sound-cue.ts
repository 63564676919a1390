import { GameEvent, type GameEventMessage, isNewerSequence } from '@starcatch/shared';

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

/** Moments remembered as already sounded; far more than a session's worth of stars in flight at once. */
const HEARD_MEMORY = 256;

/**
 * The cues of a match, read from its game events: `star_collected`, `round_started` and
 * `round_ended` each sound once. Events come on the reliable, ordered path, exactly once each, so
 * a sound never depends on snapshots: a snapshot that arrives late (or twice, or out of order)
 * can never replay one. A `sync` (joining, or catching up after a transport switch) is silent, and
 * so is every event it already covers (a tick not after its own); the moments heard are also
 * remembered, so the same catch or round edge never sounds twice, whichever path repeats it.
 */
export class SoundCues {
  #syncTick: number | null = null;
  readonly #heard = new Set<string>();

  /** The cues `event` calls for, in order; `yourSlot` is this player's slot (null: not placed yet). */
  cuesFor(event: GameEventMessage, yourSlot: number | null): SoundCue[] {
    if (event.type === GameEvent.sync) {
      this.synced(event.tick);
      return [];
    }
    if (this.#syncTick === null || !isNewerSequence(event.tick, this.#syncTick)) return [];
    switch (event.type) {
      case GameEvent.starCollected:
        if (!this.#firstTime(`star ${event.star_id}`)) return [];
        return [event.slot === yourSlot ? SoundCue.starYours : SoundCue.starTheirs];
      case GameEvent.roundStarted:
        return this.#firstTime(`start ${event.round}`) ? [SoundCue.roundStarted] : [];
      case GameEvent.roundEnded: {
        if (!this.#firstTime(`end ${event.round}`)) return [];
        const won = yourSlot !== null && event.winners.includes(yourSlot);
        return [won ? SoundCue.roundWon : SoundCue.roundEnded];
      }
      default:
        return [];
    }
  }

  /** A sync of `tick` was applied (here or before this listener started): what it covers stays silent. */
  synced(tick: number): void {
    this.#syncTick = tick;
    this.#heard.clear();
  }

  #firstTime(moment: string): boolean {
    if (this.#heard.has(moment)) return false;
    this.#heard.add(moment);
    if (this.#heard.size > HEARD_MEMORY) this.#heard.delete(this.#heard.values().next().value as string);
    return true;
  }
}
