/** IPC between the WebRTC suite and its bot processes (`serialization: 'advanced'`, so typed arrays pass). */

export interface BotPlayer {
  readonly roomId: string;
  readonly nickname: string;
}

/** Suite → bot process. */
export type ToBots =
  | {
      readonly type: 'connect';
      readonly id: number;
      readonly players: readonly BotPlayer[];
      /** Negotiations in flight at once in this process. */
      readonly concurrency: number;
      readonly openTimeoutMs: number;
    }
  | { readonly type: 'measure'; readonly id: number; readonly windowMs: number; readonly drainMs: number }
  | { readonly type: 'stop' };

export interface ConnectReport {
  readonly connected: number;
  readonly failed: number;
  /** The first few failure messages. */
  readonly errors: readonly string[];
  /** Sign-in to both DataChannels open, per connected bot, ms. */
  readonly setupMs: Float64Array;
}

export interface WindowReport {
  /** Bots playing at the end of the window, and bots whose socket or channel was lost so far. */
  readonly players: number;
  readonly lost: number;
  readonly inputs: number;
  readonly snapshots: number;
  readonly events: number;
  /** Server ticks seen advancing, summed over bots, and snapshot ticks that never arrived. */
  readonly ticks: number;
  readonly missedSnapshots: number;
  /** Inputs not yet acknowledged when each snapshot arrived, summed over snapshots. */
  readonly unackedAtSnapshots: number;
  /** Input → acknowledging snapshot of the window's inputs, ms (unsorted). */
  readonly rtts: Float64Array;
  /** Event-loop delay of the bot process over the window, ms: a busy bot process inflates the RTT. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

/** Bot process → suite. */
export type FromBots =
  | { readonly type: 'ready' }
  | ({ readonly type: 'connected'; readonly id: number } & ConnectReport)
  | ({ readonly type: 'measured'; readonly id: number } & WindowReport)
  | { readonly type: 'failed'; readonly message: string };
