/**
 * What a bot, or all the bots of a bot process, count inside a measured window: inputs sent,
 * messages received, and the input → acknowledging-snapshot time of every input sent inside it.
 */
export class Meter {
  #start = Number.POSITIVE_INFINITY;
  #end = Number.NEGATIVE_INFINITY;
  inputs = 0;
  snapshots = 0;
  events = 0;
  /** Server ticks the snapshots of the window advanced by, summed over bots. */
  ticks = 0;
  /** Snapshot ticks between two received snapshots that never arrived (lost, or skipped by the server for a backlog). */
  missedSnapshots = 0;
  /** Inputs sent and not yet acknowledged when a snapshot arrived, summed over snapshots. */
  unackedAtSnapshots = 0;
  #rtts = new Float64Array(16_384);
  #acked = 0;

  /** Starts counting for `[start, end)` (performance.now() ms) from zero. */
  open(start: number, end: number): void {
    this.#start = start;
    this.#end = end;
    this.inputs = 0;
    this.snapshots = 0;
    this.events = 0;
    this.ticks = 0;
    this.missedSnapshots = 0;
    this.unackedAtSnapshots = 0;
    this.#acked = 0;
  }

  #inWindow(at: number): boolean {
    return at >= this.#start && at < this.#end;
  }

  input(at: number): void {
    if (this.#inWindow(at)) this.inputs++;
  }

  /** A snapshot arrived with `unacked` of its bot's inputs still not covered by its ack. */
  snapshot(at: number, unacked: number): void {
    if (!this.#inWindow(at)) return;
    this.snapshots++;
    this.unackedAtSnapshots += unacked;
  }

  /** A bot's snapshots moved from server tick `from` to `to`, with `missed` snapshot ticks in between. */
  advance(at: number, ticks: number, missed: number): void {
    if (!this.#inWindow(at)) return;
    this.ticks += ticks;
    this.missedSnapshots += missed;
  }

  event(at: number): void {
    if (this.#inWindow(at)) this.events++;
  }

  /** An input sent at `sentAt` was acknowledged at `ackedAt`; counted when it was sent inside the window. */
  ack(sentAt: number, ackedAt: number): void {
    if (!this.#inWindow(sentAt)) return;
    if (this.#acked === this.#rtts.length) {
      const grown = new Float64Array(this.#rtts.length * 2);
      grown.set(this.#rtts);
      this.#rtts = grown;
    }
    this.#rtts[this.#acked++] = ackedAt - sentAt;
  }

  /** The round-trip times of the window's acknowledged inputs, ms (a copy, in arrival order). */
  rtts(): Float64Array {
    return this.#rtts.slice(0, this.#acked);
  }
}
