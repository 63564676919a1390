/**
 * How far behind the server remote ships are drawn, adapted to the network. Interpolating needs the
 * snapshot AFTER the render time to have arrived already, so the delay must cover one snapshot
 * interval plus however late snapshots come in; a lost one needs one interval more. Too little and
 * the buffer runs dry (ships extrapolate, then jump back); too much and everything you see of the
 * others is old. So the delay follows what arrivals measure, between a floor and a ceiling.
 */
export interface InterpolationDelayOptions {
  /** The longest gap between the server's snapshots (`snapshotGapMs`: 67 ms at 30/20). */
  readonly snapshotIntervalMs: number;
  /** Never below this; default: one snapshot interval plus FLOOR_MARGIN_MS. */
  readonly floorMs?: number;
  /** Never above this, however bad the network (CEILING_MS by default): late beyond it is extrapolated. */
  readonly ceilingMs?: number;
}

/** Added to the interval for the floor: timers and the event loop jitter a few ms even on loopback. */
export const FLOOR_MARGIN_MS = 10;
/** 250 ms: beyond this, what a player sees of the others is too old to aim at; bounded extrapolation covers the rest. */
export const CEILING_MS = 250;
/** Margin over the measured lateness, so a sample just past the percentile does not run the buffer dry. */
export const JITTER_MARGIN_MS = 5;
/** Above this share of snapshots missing, one more interval of delay lets one loss be interpolated across. */
export const LOSS_COVER_THRESHOLD = 0.005;
/** A rise is followed at once (a dry buffer shows at once), a fall at this many ms per second (slow, unnoticed). */
export const FALL_MS_PER_SECOND = 20;

/**
 * `update` takes the measured lateness (p95 of how late snapshots arrive against the earliest of
 * recent ones: see `SnapshotArrivals`) and share of missing snapshots, and returns the delay.
 */
export class InterpolationDelay {
  readonly #intervalMs: number;
  readonly #floorMs: number;
  readonly #ceilingMs: number;
  #delayMs: number;

  constructor(options: InterpolationDelayOptions) {
    this.#intervalMs = options.snapshotIntervalMs;
    this.#floorMs = options.floorMs ?? options.snapshotIntervalMs + FLOOR_MARGIN_MS;
    this.#ceilingMs = Math.max(this.#floorMs, options.ceilingMs ?? CEILING_MS);
    this.#delayMs = this.#floorMs;
  }

  get ms(): number {
    return this.#delayMs;
  }

  get floorMs(): number {
    return this.#floorMs;
  }

  get ceilingMs(): number {
    return this.#ceilingMs;
  }

  /** The delay these conditions call for, without the slow fall. */
  target(latenessMs: number, missingShare: number): number {
    const lossCover = missingShare > LOSS_COVER_THRESHOLD ? this.#intervalMs : 0;
    const wanted = this.#intervalMs + Math.max(0, latenessMs) + JITTER_MARGIN_MS + lossCover;
    return Math.min(this.#ceilingMs, Math.max(this.#floorMs, wanted));
  }

  /** Moves towards the target: up at once, down by at most FALL_MS_PER_SECOND over `elapsedMs`. */
  update(latenessMs: number, missingShare: number, elapsedMs: number): number {
    const target = this.target(latenessMs, missingShare);
    if (target >= this.#delayMs) this.#delayMs = target;
    else this.#delayMs = Math.max(target, this.#delayMs - (FALL_MS_PER_SECOND * Math.max(0, elapsedMs)) / 1000);
    return this.#delayMs;
  }
}
