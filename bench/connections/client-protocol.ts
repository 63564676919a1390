import type { FailureKind } from './idle-socket.ts';

/** IPC between the suite and each `client-process.ts`. */

export interface ClientProcessConfig {
  readonly url: string;
  /** Signs this process's session tokens (the server was started with the same key). */
  readonly secretKey: string;
  /** This process opens users `firstUser … firstUser + count - 1`. */
  readonly firstUser: number;
  readonly count: number;
  /** Connects started per second by this process. */
  readonly ratePerSec: number;
  /** Connects of this process that may be under way at once. */
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  readonly heartbeatMs: number;
  /**
   * The channel each socket joins: its own `user:<id>` on the game server (default), or its own
   * `room:<id>` on the bare library and raw servers of the library comparison.
   */
  readonly channel?: 'user' | 'room';
}

/** Suite → client process. */
export type ToClient =
  | { readonly type: 'start'; readonly startAt: number }
  /** Report the sockets still alive, then close them all. */
  | { readonly type: 'finish' };

export interface RampReport {
  /** Connect + join times of the sockets that joined, ms, in completion order. */
  readonly joinMs: Float64Array;
  /** When each of those attempts started, ms after the ramp's start (same order). */
  readonly joinStartedMs: Float64Array;
  readonly failures: Partial<Record<FailureKind, number>>;
  /** The first detail seen for each kind (an error code, an HTTP status, a reply payload). */
  readonly failureDetails: Partial<Record<FailureKind, string>>;
  /** This process's event-loop delay during its ramp, ms. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** Clock (ms since the epoch) when the last attempt of this process settled. */
  readonly finishedAt: number;
}

export interface FinishReport {
  readonly alive: number;
  readonly heartbeatsSent: number;
  readonly heartbeatsAcked: number;
  readonly unexpectedFrames: number;
  /** Close code → joined sockets that closed before `finish`. */
  readonly dropped: Readonly<Record<string, number>>;
}

/** Client process → suite. */
export type FromClient =
  | { readonly type: 'ready' }
  | ({ readonly type: 'ramped' } & RampReport)
  | ({ readonly type: 'finished' } & FinishReport)
  | { readonly type: 'failed'; readonly message: string };
