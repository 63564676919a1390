import { decodeSnapshot, type GameEventMessage, type SnapshotMessage, TICK_RATE } from '@starcatch/shared';
import type { PlayerLink, SnapshotDelivery } from '../../src/game/player-link.ts';
import type { TickScheduler } from '../../src/game/tick-loop.ts';

/** A monotonic clock moved by hand, in whole ticks or milliseconds. */
export class FakeClock {
  now = 0;
  readonly read = (): number => this.now;

  /** Moves to the instant `ticks` ticks after `from` (exactly, not by adding up 33.33 ms steps). */
  advanceTicks(ticks: number, from = this.now): void {
    this.now = from + (ticks * 1000) / TICK_RATE;
  }
}

/** A `PlayerLink` that records what the simulation sends it, decoded. */
export class FakeLink implements PlayerLink {
  readonly id: string;
  readonly snapshots: SnapshotMessage[] = [];
  readonly events: GameEventMessage[] = [];
  /** Raw buffers as handed over, to check they are distinct copies. */
  readonly buffers: Uint8Array[] = [];
  /** Set to make the link refuse snapshots, as a backed-up DataChannel does. */
  backedUp = false;

  constructor(id: string) {
    this.id = id;
  }

  sendSnapshot(bytes: Uint8Array<ArrayBuffer>): SnapshotDelivery {
    if (this.backedUp) return 'skipped';
    this.buffers.push(bytes);
    const decoded = decodeSnapshot(bytes);
    if (!decoded.ok) throw new Error(`the simulation sent a bad snapshot: ${decoded.error.message}`);
    this.snapshots.push(decoded.value);
    return 'sent';
  }

  sendEvent(event: GameEventMessage): void {
    // A round trip through JSON, as on the wire: nothing may depend on object identity.
    this.events.push(JSON.parse(JSON.stringify(event)) as GameEventMessage);
  }

  eventsOfType<T extends GameEventMessage['type']>(type: T): Extract<GameEventMessage, { type: T }>[] {
    return this.events.filter((event): event is Extract<GameEventMessage, { type: T }> => event.type === type);
  }

  get lastSnapshot(): SnapshotMessage | undefined {
    return this.snapshots.at(-1);
  }
}

/** Timers that fire only when the test says so, against a `FakeClock`. */
export class FakeScheduler implements TickScheduler {
  readonly #clock: FakeClock;
  #timers: { at: number; callback: () => void; id: number }[] = [];
  #nextId = 1;
  /** Every delay requested, in order. */
  readonly delays: number[] = [];

  constructor(clock: FakeClock) {
    this.#clock = clock;
  }

  get pending(): number {
    return this.#timers.length;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.delays.push(ms);
    this.#timers.push({ at: this.#clock.now + ms, callback, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle);
  }

  /** Moves the clock to `until`, firing each timer at its time (late by `lateMs`, as Node's are). */
  runUntil(until: number, lateMs = 0): void {
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at);
      const next = this.#timers[0];
      if (!next || next.at + lateMs > until) break;
      this.#timers.shift();
      this.#clock.now = next.at + lateMs;
      next.callback();
    }
    this.#clock.now = until;
  }
}
