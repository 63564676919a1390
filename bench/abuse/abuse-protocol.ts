/** IPC between the abuse suite and its abuser process (`abuser.ts`). */

/**
 * What the abuser does, every rate already at 10× the server's budget (per second). The suite
 * derives it from the server's own configuration (`loadConfig`), so it follows the defaults.
 */
export interface AbusePlan {
  /** The abuser's client address, sent as `X-Forwarded-For` on every request and socket. */
  readonly forwardedFor: string;
  /** The players' room: the abuser's main tab sits in it (its chat, inputs and DataChannel flood go there). */
  readonly roomId: string;
  readonly signInsPerSec: number;
  readonly connectsPerSec: number;
  /** Sockets the connect hammer tries to hold at once (10× `MAX_SOCKETS_PER_ADDRESS`). */
  readonly holdSockets: number;
  /** Room creators (identities, each with a lobby socket), and each one's create rate. */
  readonly creators: number;
  readonly createsPerCreatorPerSec: number;
  readonly joinsPerSec: number;
  /** Rooms the joiner tries to be in at once (10× `SOCKET_MAX_ROOMS`) before it leaves them all. */
  readonly joinHold: number;
  readonly chatPerSec: number;
  readonly wsInputsPerSec: number;
  readonly dataChannelPerSec: number;
  readonly offersPerSec: number;
  readonly icePerSec: number;
  /** Size of each oversize frame (10× `SOCKET_MAX_FRAME_BYTES`). */
  readonly oversizeBytes: number;
}

/** Every this many join attempts the joiner leaves every room it holds, so the rooms-per-socket cap refuses only some. */
export const JOINS_PER_CYCLE = 10;

/** Suite → abuser. */
export type ToAbuser = { readonly type: 'start'; readonly plan: AbusePlan } | { readonly type: 'stop' };

/** Per attack: how many were sent, and what came back, by outcome (`ok`, an error code, `closed 1007`, …). */
export interface AttackCount {
  sent: number;
  readonly outcomes: Record<string, number>;
}

export interface AbuseReport {
  /** From the start of the hammering to the stop. */
  readonly seconds: number;
  readonly attacks: Readonly<Record<string, AttackCount>>;
  /** `game:notice` totals the main tab received: inputs the server dropped, by path. */
  readonly noticedDropped: Readonly<Record<string, number>>;
  /** Share of the hammering time the main tab had an open DataChannel to flood. */
  readonly dataChannelOpenPercent: number;
  /** Sockets the connect hammer held at the end. */
  readonly heldAtEnd: number;
  /** Setup steps that failed (the hammering goes on with what it has). */
  readonly setupErrors: readonly string[];
  /** Event-loop delay of the abuser over the hammering, p99 ms: high means it could not keep its rates. */
  readonly loopDelayP99Ms: number;
}

/** Abuser → suite. */
export type FromAbuser =
  | { readonly type: 'ready' }
  | { readonly type: 'started'; readonly setupErrors: readonly string[] }
  | { readonly type: 'report'; readonly report: AbuseReport }
  | { readonly type: 'failed'; readonly message: string };
