/**
 * A bad network, simulated: added delay, jitter and loss for game messages, so the netcode can be
 * watched (and tested, and benchmarked) at 150 ms and 5 % loss on a loopback machine. The client
 * wraps its transports in it below the game link (`client/src/net/impaired-link.ts`, `?lag=…`), the
 * server its game routes (`server/src/transport/route-impairment.ts`, `NET_IMPAIR_*`), and the
 * netcode bench its bots.
 *
 * The same conditions are applied to every path, each the way that path really suffers them:
 * - a **datagram** lane (the unordered, unreliable `state` DataChannel) loses messages outright and
 *   delivers the rest in the order their delays say, so jitter reorders them;
 * - a **stream** lane (the `events` DataChannel, the WebSocket: reliable and ordered) never loses a
 *   message: a loss costs a retransmission timeout instead, and every message behind it waits too
 *   (head-of-line blocking), which is what TCP and SCTP do.
 */

/** The conditions of one simulated network path; all zero is a perfect one. */
export interface NetworkConditions {
  /** Added round trip, ms: half of it on the way out, half on the way back. */
  readonly lagMs: number;
  /** Each message's one-way delay varies uniformly within ± jitterMs / 2, so a round trip within ± jitterMs. */
  readonly jitterMs: number;
  /** Share of messages lost in each direction, in percent. */
  readonly lossPercent: number;
}

export const NO_IMPAIRMENT: NetworkConditions = Object.freeze({ lagMs: 0, jitterMs: 0, lossPercent: 0 });

/** Beyond 5 s of lag the game is unplayable anyway, and a stuck timer list is worse than a refusal. */
export const MAX_IMPAIRMENT_LAG_MS = 5000;
/** Jitter above the lag is allowed (delays are floored at 0), up to the same cap. */
export const MAX_IMPAIRMENT_JITTER_MS = 5000;
/** Past half the messages lost, a stream lane would spend its life retransmitting. */
export const MAX_IMPAIRMENT_LOSS_PERCENT = 50;

/**
 * The shortest retransmission timeout of a stream lane: Linux TCP's minimum RTO (200 ms). A lost
 * message is sent again after max(this, one round trip); each retry may be lost again.
 */
export const STREAM_MIN_RETRANSMIT_MS = 200;
/** A stream message is retried at most this many times (then it is delivered: TCP would reset, we don't). */
const STREAM_MAX_RETRANSMITS = 6;

/** True when the conditions change nothing. */
export function isUnimpaired(conditions: NetworkConditions): boolean {
  return conditions.lagMs <= 0 && conditions.jitterMs <= 0 && conditions.lossPercent <= 0;
}

/** Why a condition was refused, or null. */
function problem(name: string, value: number, max: number): string | null {
  return Number.isFinite(value) && value >= 0 && value <= max ? null : `${name} must be a number from 0 to ${max}`;
}

/**
 * Conditions from text fields (`?lag=150&jitter=20&loss=5`, `NET_IMPAIR_LAG_MS`, …): ms, ms and
 * percent. A missing or empty field is 0. Returns the reason instead when a field is out of range.
 */
export function parseNetworkConditions(fields: {
  readonly lag?: string | null | undefined;
  readonly jitter?: string | null | undefined;
  readonly loss?: string | null | undefined;
}): { readonly ok: true; readonly conditions: NetworkConditions } | { readonly ok: false; readonly message: string } {
  const read = (text: string | null | undefined): number => (text == null || text.trim() === '' ? 0 : Number(text));
  const conditions = { lagMs: read(fields.lag), jitterMs: read(fields.jitter), lossPercent: read(fields.loss) };
  const refused =
    problem('lag', conditions.lagMs, MAX_IMPAIRMENT_LAG_MS) ??
    problem('jitter', conditions.jitterMs, MAX_IMPAIRMENT_JITTER_MS) ??
    problem('loss', conditions.lossPercent, MAX_IMPAIRMENT_LOSS_PERCENT);
  return refused === null ? { ok: true, conditions } : { ok: false, message: refused };
}

/** `150 ms ± 20 ms, 5 % loss`, or `none`. */
export function describeNetworkConditions(conditions: NetworkConditions): string {
  if (isUnimpaired(conditions)) return 'none';
  return `${conditions.lagMs} ms ± ${conditions.jitterMs} ms, ${conditions.lossPercent} % loss`;
}

export const LaneKind = {
  /** Unreliable and unordered: may lose and reorder. */
  datagram: 'datagram',
  /** Reliable and ordered: late instead of lost, never overtaken. */
  stream: 'stream',
} as const;
export type LaneKind = (typeof LaneKind)[keyof typeof LaneKind];

/**
 * The clock and timer a lane waits on: the platform's (this package targets no platform, so each
 * side passes its own), or a fake one in tests.
 */
export interface LaneTimers {
  /** Monotonic ms. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What one lane did, for the overlay and the tests. */
export interface LaneCounts {
  carried: number;
  /** Datagrams lost. */
  dropped: number;
  /** Stream messages delayed by a simulated retransmission (each retry counts). */
  retransmitted: number;
}

export interface ImpairedLaneOptions {
  /** Read for every message, so a live change applies to the next one. */
  readonly conditions: () => NetworkConditions;
  readonly kind: LaneKind;
  /** A float in [0, 1); `Math.random` by default, seeded in the bench. */
  readonly random?: () => number;
  readonly timers: LaneTimers;
}

interface Queued {
  readonly at: number;
  readonly deliver: () => void;
}

/**
 * One direction of one path: `carry(deliver)` calls `deliver` once the simulated network has
 * carried the message, or never when a datagram is lost. An unimpaired lane with nothing in
 * flight delivers at once, in the caller's stack, so it costs nothing when switched off.
 */
export class ImpairedLane {
  readonly counts: LaneCounts = { carried: 0, dropped: 0, retransmitted: 0 };
  readonly #options: ImpairedLaneOptions;
  readonly #random: () => number;
  readonly #timers: LaneTimers;
  /** In delivery order (by `at`, then by arrival). */
  #queue: Queued[] = [];
  #timer: unknown;
  #disposed = false;

  constructor(options: ImpairedLaneOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#timers = options.timers;
  }

  /** Messages on their way. */
  get inFlight(): number {
    return this.#queue.length;
  }

  carry(deliver: () => void): void {
    if (this.#disposed) return;
    const conditions = this.#options.conditions();
    const stream = this.#options.kind === LaneKind.stream;
    // Nothing to simulate: straight through, unless a stream must keep its order behind earlier ones.
    if (isUnimpaired(conditions) && (!stream || this.#queue.length === 0)) {
      this.counts.carried++;
      deliver();
      return;
    }
    const loss = Math.min(conditions.lossPercent, MAX_IMPAIRMENT_LOSS_PERCENT) / 100;
    let delay = this.#oneWayDelay(conditions);
    if (stream) {
      const retransmitMs = Math.max(STREAM_MIN_RETRANSMIT_MS, conditions.lagMs + conditions.jitterMs);
      for (let retry = 0; retry < STREAM_MAX_RETRANSMITS && this.#random() < loss; retry++) {
        delay += retransmitMs;
        this.counts.retransmitted++;
      }
    } else if (this.#random() < loss) {
      this.counts.dropped++;
      return;
    }
    const now = this.#timers.now();
    let at = now + delay;
    // Head-of-line blocking: a stream message never arrives before the one sent ahead of it.
    const last = this.#queue.at(-1);
    if (stream && last && last.at > at) at = last.at;
    this.#enqueue({ at, deliver });
    this.counts.carried++;
  }

  /** Drops whatever is still in flight (the connection is gone). */
  dispose(): void {
    this.#disposed = true;
    this.#queue = [];
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #oneWayDelay({ lagMs, jitterMs }: NetworkConditions): number {
    const spread = (this.#random() * 2 - 1) * (jitterMs / 2);
    return Math.max(0, lagMs / 2 + spread);
  }

  #enqueue(item: Queued): void {
    // Insert after every message due at or before it: equal times keep their sending order.
    let index = this.#queue.length;
    while (index > 0 && (this.#queue[index - 1] as Queued).at > item.at) index--;
    this.#queue.splice(index, 0, item);
    if (index === 0) this.#arm();
  }

  #arm(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    const head = this.#queue[0];
    if (!head) return;
    this.#timer = this.#timers.setTimeout(() => this.#flush(), Math.max(0, head.at - this.#timers.now()));
  }

  #flush(): void {
    this.#timer = undefined;
    const now = this.#timers.now();
    // Timers may fire a hair early or late; whatever is due within a millisecond goes now, in order.
    while (this.#queue.length > 0 && (this.#queue[0] as Queued).at <= now + 1) {
      const item = this.#queue.shift() as Queued;
      item.deliver();
      if (this.#disposed) return;
    }
    this.#arm();
  }
}

/**
 * The live conditions of one end of the network (a tab, a server, a bot) and the lanes they
 * apply to. Changing `conditions` takes effect on the next message of every lane.
 */
export class NetworkImpairment {
  #conditions: NetworkConditions;
  readonly #random: () => number;
  readonly #timers: LaneTimers;
  readonly #listeners = new Set<(conditions: NetworkConditions) => void>();

  constructor(conditions: NetworkConditions, options: { readonly timers: LaneTimers; readonly random?: () => number }) {
    this.#conditions = Object.freeze({ ...conditions });
    this.#random = options.random ?? Math.random;
    this.#timers = options.timers;
  }

  get conditions(): NetworkConditions {
    return this.#conditions;
  }

  set conditions(conditions: NetworkConditions) {
    this.#conditions = Object.freeze({ ...conditions });
    for (const listener of this.#listeners) listener(this.#conditions);
  }

  /** Told every change of the conditions; returns the remover. */
  subscribe(listener: (conditions: NetworkConditions) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A new lane (one direction of one path) under these conditions. */
  lane(kind: LaneKind): ImpairedLane {
    return new ImpairedLane({ conditions: () => this.#conditions, kind, random: this.#random, timers: this.#timers });
  }
}
