import type { Logger } from '@starcatch/phoenix';
import type { FinishedRound, RoundResultStore } from '../game/round-results.ts';
import { isStorageUnavailable } from './storage-errors.ts';

/**
 * Finished rounds kept in memory while the database is unavailable: 1,000 rounds (at most 16 lines
 * each, a few hundred KiB), about 25 hours of one room's 90 s rounds, or 15 minutes of 100 busy
 * rooms. Past that the oldest is dropped and logged in full.
 */
export const PENDING_ROUNDS_LIMIT = 1_000;
/** The first retry after a failed write, 0.5 s; each further failure doubles the wait... */
export const ROUND_RETRY_FIRST_MS = 500;
/** ...up to 5 s, so results are written at most 5 s after the database is back. */
export const ROUND_RETRY_MAX_MS = 5_000;

export interface PendingRoundResultsOptions {
  readonly store: RoundResultStore;
  readonly logger: Logger;
  readonly limit?: number;
  readonly firstRetryMs?: number;
  readonly maxRetryMs?: number;
}

/**
 * Writes finished rounds in order, one at a time, without ever making the game wait: `add` returns
 * at once and the write starts after the tick that finished the round. While the storage is
 * unavailable (`StorageUnavailableError`) the rounds wait here and the oldest is retried with
 * backoff; once a write succeeds the rest follow at once. Any other error is a bug, not an outage:
 * that round is logged and dropped rather than retried forever.
 */
export class PendingRoundResults {
  readonly #store: RoundResultStore;
  readonly #logger: Logger;
  readonly #limit: number;
  readonly #firstRetryMs: number;
  readonly #maxRetryMs: number;
  readonly #queue: FinishedRound[] = [];
  /** The round being written, which is never the one dropped when the queue is full. */
  #inFlight: FinishedRound | null = null;
  #writing: Promise<void> | null = null;
  #retry: NodeJS.Timeout | null = null;
  #nextDelayMs: number;
  /** Failed attempts since the last successful write. */
  #failures = 0;
  #closed = false;

  constructor(options: PendingRoundResultsOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#limit = Math.max(1, options.limit ?? PENDING_ROUNDS_LIMIT);
    this.#firstRetryMs = options.firstRetryMs ?? ROUND_RETRY_FIRST_MS;
    this.#maxRetryMs = Math.max(this.#firstRetryMs, options.maxRetryMs ?? ROUND_RETRY_MAX_MS);
    this.#nextDelayMs = this.#firstRetryMs;
  }

  /** Rounds not written yet, the one being written included. */
  get size(): number {
    return this.#queue.length;
  }

  /** Queues a round for writing; never throws, never waits. */
  add(round: FinishedRound): void {
    if (this.#closed) {
      this.#logger.error({ round: roundForLog(round) }, 'round results lost: finished after the storage closed');
      return;
    }
    if (this.#queue.length >= this.#limit) this.#dropOldest();
    this.#queue.push(round);
    this.#kick();
  }

  /**
   * At shutdown: waits for the write under way, tries once more if a retry was waiting, and logs
   * whatever still could not be written. Bounded by one attempt per round at most, stopping at the
   * first failure.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const retryWaiting = this.#retry !== null;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    if (this.#writing) await this.#writing;
    else if (retryWaiting) await this.#start();
    if (this.#queue.length === 0) return;
    this.#logger.error(
      { rounds: this.#queue.map(roundForLog) },
      `${this.#queue.length} round results lost at shutdown: the database is unavailable`,
    );
    this.#queue.length = 0;
  }

  #kick(): void {
    if (this.#writing || this.#retry) return;
    void this.#start();
  }

  #start(): Promise<void> {
    const writing = this.#drain().finally(() => {
      this.#writing = null;
    });
    this.#writing = writing;
    return writing;
  }

  async #drain(): Promise<void> {
    // Not inside the tick that finished the round: SQLite writes synchronously.
    await Promise.resolve();
    for (let round = this.#queue[0]; round !== undefined; round = this.#queue[0]) {
      this.#inFlight = round;
      let saved = false;
      try {
        await this.#store.saveRoundResults(round);
        saved = true;
      } catch (error) {
        if (isStorageUnavailable(error)) {
          this.#failed(error, round);
          return;
        }
        this.#logger.error({ err: error, round: roundForLog(round) }, 'round results not saved');
      } finally {
        this.#inFlight = null;
      }
      this.#remove(round);
      if (saved && this.#failures > 0) {
        this.#logger.info(
          { attempts: this.#failures + 1, pending: this.#queue.length },
          'round results saved again: the database is back',
        );
        this.#failures = 0;
        this.#nextDelayMs = this.#firstRetryMs;
      }
    }
  }

  #failed(error: Error, round: FinishedRound): void {
    this.#failures++;
    if (this.#failures === 1) {
      this.#logger.warn(
        { err: error, roomId: round.roomId, round: round.round, pending: this.#queue.length },
        'round results kept in memory until the database is back',
      );
    }
    if (this.#closed) return;
    const delay = this.#nextDelayMs;
    this.#nextDelayMs = Math.min(this.#nextDelayMs * 2, this.#maxRetryMs);
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.#kick();
    }, delay);
    // A retry alone does not keep the process alive; shutdown flushes what is left.
    this.#retry.unref();
  }

  #dropOldest(): void {
    const index = this.#queue[0] === this.#inFlight ? 1 : 0;
    const [dropped] = this.#queue.splice(index, 1);
    if (!dropped) return;
    this.#logger.error(
      { round: roundForLog(dropped), limit: this.#limit },
      'round results dropped: too many rounds waiting for the database',
    );
  }

  #remove(round: FinishedRound): void {
    const index = this.#queue.indexOf(round);
    if (index >= 0) this.#queue.splice(index, 1);
  }
}

/** Everything needed to write the round by hand from the log. */
function roundForLog(round: FinishedRound): object {
  return {
    roomId: round.roomId,
    round: round.round,
    endedAt: round.endedAt,
    players: round.players.map((p) => ({
      userId: p.userId,
      nickname: p.nickname,
      slot: p.slot,
      score: p.score,
      won: p.won,
    })),
  };
}
