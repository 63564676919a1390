import type { GameRates } from '@starcatch/shared';

/**
 * What the player perceives of the netcode, measured in the tab (`GameNetcode.stats()`), shown in
 * the F3 overlay and in `state().net.netcode`. Counts are since the room was entered; "max" figures
 * too. Distances are world units (a ship is 32 across), times ms.
 */
export interface NetcodeStats {
  /** The room's rates, as its `sync` announced them. */
  readonly rates: GameRates;
  /** Latest input → acknowledging snapshot: network round trip plus waiting for a tick and a snapshot. */
  readonly inputAckMs: number | null;
  readonly inputs: {
    readonly sent: number;
    /** Earlier inputs repeated in each message (input redundancy). */
    readonly redundancy: number;
    /** Ticks skipped because the server held a queue of our inputs. */
    readonly skipped: number;
  };
  readonly snapshots: {
    readonly received: number;
    /** Arrived after a newer one: dropped. */
    readonly late: number;
    /** Expected ticks that never came before a newer one (lost, skipped by the server, or late). */
    readonly missing: number;
    /** RFC 3550 inter-arrival jitter. */
    readonly jitterMs: number;
    /** p95 of how late snapshots arrive against the earliest recent one: what the delay covers. */
    readonly latenessMs: number;
  };
  readonly interpolation: {
    /** How far behind the server remote ships are drawn (adaptive). */
    readonly delayMs: number;
    /** Server time buffered past the render time (negative while extrapolating). */
    readonly bufferedMs: number;
    /** Snapshots held past the render time. */
    readonly depth: number;
    /** Frames drawn past the newest snapshot, and how many times the buffer ran dry. */
    readonly extrapolatedFrames: number;
    readonly dryRuns: number;
    /** The furthest any frame extrapolated (bounded by the buffer's maximum). */
    readonly maxExtrapolatedMs: number;
  };
  readonly corrections: {
    /** Snapshots that moved the predicted own ship. */
    readonly count: number;
    readonly lastUnits: number;
    readonly maxUnits: number;
    readonly p95Units: number;
  };
  /** How smoothly the others' ships were drawn (see `MotionReading`). */
  readonly remote: {
    readonly maxJumpUnits: number;
    readonly jerkP95: number;
    readonly maxJerk: number;
    readonly frames: number;
  };
  /** The own ship as drawn (prediction plus faded corrections). */
  readonly own: {
    readonly maxJumpUnits: number;
  };
}
