import { decodeInput, type InputMessage, NewestSequenceFilter, unpackInputs } from '@starcatch/shared';
import { TokenBucket } from '../limits/token-bucket.ts';
import type { InputBudget } from './simulation-settings.ts';
import type { MonotonicClock } from './tick-accumulator.ts';

/** What became of one input message. */
export const InputVerdict = {
  /** Waiting for its tick. */
  queued: 'queued',
  /** Not a valid INPUT message (bad version, kind, length or direction bits). */
  malformed: 'malformed',
  /** Over the link's input budget. */
  rateLimited: 'rate_limited',
  /**
   * Nothing newer than what was already accepted: a duplicate, a message overtaken on the unordered
   * channel, or one whose input already came in a later message's history.
   */
  stale: 'stale',
} as const;
export type InputVerdict = (typeof InputVerdict)[keyof typeof InputVerdict];

/**
 * Messages per verdict, plus `overflowed` (inputs accepted, then dropped unapplied because the queue
 * was full), `trimmed` (dropped to end a standing backlog, see `InputStream.takeNext`) and
 * `recovered` (inputs whose own message never came, taken from a later one's history).
 */
export type InputCounts = Record<InputVerdict | 'overflowed' | 'trimmed' | 'recovered', number>;

export function emptyInputCounts(): InputCounts {
  return { queued: 0, malformed: 0, rate_limited: 0, stale: 0, overflowed: 0, trimmed: 0, recovered: 0 };
}

/**
 * Ticks over which the queue's shortest length is watched (a second at 30 Hz): a backlog that
 * never once fell below two inputs in that long is standing, not jitter.
 */
export const STANDING_BACKLOG_TICKS = 30;

/**
 * Once a standing backlog is found, how many ticks the trim may wait for a moment when dropping an
 * input changes nothing (a second at 30 Hz); after that it drops one anyway. Longer waits cut the
 * corrections little and keep a flying player's extra tick of latency for longer.
 */
export const TRIM_PATIENCE_TICKS = 30;

/** Adds `more` into `into` and returns `into`. */
export function addInputCounts(into: InputCounts, more: Readonly<InputCounts>): InputCounts {
  for (const key of Object.keys(into) as (keyof InputCounts)[]) into[key] += more[key];
  return into;
}

export interface InputStreamOptions {
  readonly budget: InputBudget;
  readonly queueLimit: number;
  readonly clock: MonotonicClock;
}

/**
 * One link's inputs on their way into the simulation: checked (codec, budget, sequence), queued,
 * and handed out one per tick in sequence order. The last one handed out is what this link's
 * snapshots acknowledge.
 *
 * A message may carry the inputs sent before it (input redundancy, `StateMessageKind
 * .inputWithHistory`): each input is taken once, by seq, whichever message brings it first, so a
 * lost or late `state` datagram costs nothing as long as one of the next few arrives in time.
 */
export class InputStream {
  readonly counts: InputCounts = emptyInputCounts();
  readonly #budget: TokenBucket;
  readonly #queueLimit: number;
  readonly #newest = new NewestSequenceFilter();
  readonly #queue: InputMessage[] = [];
  #applied = 0;
  /** Ticks taken in the current backlog window, and the fewest inputs waiting at any of them. */
  #windowTicks = 0;
  #fewestWaiting = Number.POSITIVE_INFINITY;
  /** Ticks a due trim has waited for a free moment; undefined while none is due. */
  #trimWaited: number | undefined;

  constructor({ budget, queueLimit, clock }: InputStreamOptions) {
    this.#budget = new TokenBucket(budget.burst, budget.perSecond * 60, clock);
    this.#queueLimit = queueLimit;
  }

  /** The seq of the last input applied: the ack in this link's snapshots (0 before the first). */
  get ackSeq(): number {
    return this.#applied;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Takes in one raw INPUT message from the wire. */
  offer(data: ArrayBuffer | ArrayBufferView): InputVerdict {
    const decoded = decodeInput(data);
    if (!decoded.ok) return this.#count(InputVerdict.malformed);
    // The budget is spent before the sequence check, so a flood of duplicates is limited too.
    if (!this.#budget.take()) return this.#count(InputVerdict.rateLimited);
    let taken = 0;
    // Oldest first, so the history fills the gap before the message's own input joins the queue.
    for (const input of unpackInputs(decoded.value)) {
      if (!this.#newest.accept(input.seq)) continue;
      taken++;
      if (input.seq !== decoded.value.seq) this.counts.recovered++;
      this.#queue.push(input);
      if (this.#queue.length > this.#queueLimit) {
        this.#queue.shift();
        this.counts.overflowed++;
      }
    }
    return this.#count(taken === 0 ? InputVerdict.stale : InputVerdict.queued);
  }

  /**
   * The input for this tick, if one is waiting; it becomes the acknowledged one. `shipAtRest`: the
   * player's ship stands still (no velocity) before this tick.
   *
   * The room takes one input per tick and a tab sends one per tick, so inputs that arrive bunched
   * (a tab's timer stalled, then caught up) stay queued for good, each adding a tick of latency.
   * When at least two inputs waited at every tick of a whole window, one is dropped: a tick of
   * latency less for good. Dropping an input costs the tab's prediction that input's tick of motion,
   * unless the input holds no keys while the ship stands still: stepping it would change nothing,
   * so the trim waits up to `TRIM_PATIENCE_TICKS` for such an input before it drops the oldest
   * anyway. A tab that keeps its own queue short (docs/netcode.md §3) never gets here.
   */
  takeNext(shipAtRest = false): InputMessage | undefined {
    this.#watchBacklog();
    if (this.#trimWaited !== undefined) this.#trimIfDue(shipAtRest);
    const input = this.#queue.shift();
    if (input) this.#applied = input.seq;
    return input;
  }

  #watchBacklog(): void {
    this.#fewestWaiting = Math.min(this.#fewestWaiting, this.#queue.length);
    if (++this.#windowTicks < STANDING_BACKLOG_TICKS) return;
    if (this.#fewestWaiting >= 2) this.#trimWaited ??= 0;
    this.#windowTicks = 0;
    this.#fewestWaiting = Number.POSITIVE_INFINITY;
  }

  #trimIfDue(shipAtRest: boolean): void {
    const oldest = this.#queue[0];
    // Down to one waiting: the backlog drained by itself (a late input), nothing to trim.
    if (oldest === undefined || this.#queue.length < 2) {
      this.#trimWaited = undefined;
      return;
    }
    const free = shipAtRest && oldest.bits === 0;
    if (!free) {
      this.#trimWaited = (this.#trimWaited ?? 0) + 1;
      if (this.#trimWaited < TRIM_PATIENCE_TICKS) return;
    }
    this.#queue.shift();
    this.counts.trimmed++;
    this.#trimWaited = undefined;
  }

  #count(verdict: InputVerdict): InputVerdict {
    this.counts[verdict]++;
    return verdict;
  }
}
