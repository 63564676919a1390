/**
 * IPC between a suite and its bot processes (`serialization: 'advanced'`, so typed arrays pass):
 * the same three requests for every suite's bots, with the suite's own player and window types.
 */

/** What a suite tells a bot process about one player: at least its nickname (made unique there). */
export interface BotPlayerBase {
  readonly nickname: string;
}

/** Suite → bot process. */
export type ToBots<Player extends BotPlayerBase> =
  | {
      readonly type: 'connect';
      readonly id: number;
      readonly players: readonly Player[];
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
  /** Sign-in to playing (what that takes is the suite's bot's), per connected bot, ms. */
  readonly setupMs: Float64Array;
}

/** Bot process → suite. */
export type FromBots<Window extends object> =
  | { readonly type: 'ready' }
  | ({ readonly type: 'connected'; readonly id: number } & ConnectReport)
  | ({ readonly type: 'measured'; readonly id: number } & Window)
  | { readonly type: 'failed'; readonly message: string };
