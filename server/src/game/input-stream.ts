import { decodeInput, type InputMessage, NewestSequenceFilter } from '@starcatch/shared';
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
  /** Not newer than an input already accepted: a duplicate, or overtaken on the unordered channel. */
  stale: 'stale',
} as const;
export type InputVerdict = (typeof InputVerdict)[keyof typeof InputVerdict];

/** Inputs per verdict, plus `overflowed`: accepted, then dropped unapplied because the queue was full. */
export type InputCounts = Record<InputVerdict | 'overflowed', number>;

export function emptyInputCounts(): InputCounts {
  return { queued: 0, malformed: 0, rate_limited: 0, stale: 0, overflowed: 0 };
}

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
 */
export class InputStream {
  readonly counts: InputCounts = emptyInputCounts();
  readonly #budget: TokenBucket;
  readonly #queueLimit: number;
  readonly #newest = new NewestSequenceFilter();
  readonly #queue: InputMessage[] = [];
  #applied = 0;

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
    if (!this.#newest.accept(decoded.value.seq)) return this.#count(InputVerdict.stale);
    this.#queue.push(decoded.value);
    if (this.#queue.length > this.#queueLimit) {
      this.#queue.shift();
      this.counts.overflowed++;
    }
    return this.#count(InputVerdict.queued);
  }

  /** The input for this tick, if one is waiting; it becomes the acknowledged one. */
  takeNext(): InputMessage | undefined {
    const input = this.#queue.shift();
    if (input) this.#applied = input.seq;
    return input;
  }

  #count(verdict: InputVerdict): InputVerdict {
    this.counts[verdict]++;
    return verdict;
  }
}
