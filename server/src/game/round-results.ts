/** One player's line in a finished round. */
export interface FinishedRoundPlayer {
  readonly userId: string;
  readonly nickname: string;
  readonly slot: number;
  readonly score: number;
  /** Had the top score; ties all win, and nobody wins a round in which nobody scored. */
  readonly won: boolean;
}

/** A round that ran its full length (a round abandoned by an emptied room has no result). */
export interface FinishedRound {
  readonly roomId: string;
  /** Rounds are numbered per simulation, from 1; a room that empties and refills starts again at 1. */
  readonly round: number;
  /** Wall-clock time (epoch ms) of the tick that ended it. */
  readonly endedAt: number;
  /** Best score first, ties by slot. */
  readonly players: readonly FinishedRoundPlayer[];
}

/** Where finished rounds go (the storage, for the leaderboard). */
export interface RoundResultStore {
  saveRoundResults(round: FinishedRound): Promise<void>;
}
