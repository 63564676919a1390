/** IPC between the cluster suite and its bot processes (`serialization: 'advanced'`, so typed arrays pass). */
import type { BotTransport, BotWindow } from './cluster-bot.ts';

export interface ClusterPlayer {
  readonly roomId: string;
  readonly nickname: string;
  /** Names the bot in per-bot tables, e.g. `A1`. */
  readonly label: string;
  readonly transport: BotTransport;
  /** Where in the 33 ms input period (0–1) the bot sends, on the machine's shared clock. */
  readonly phase: number;
  /** Sent as `X-Forwarded-For` on the sign-in and the socket (a server trusting 127.0.0.1 counts it as the client). */
  readonly forwardedFor?: string;
}

/** Suite → bot process. */
export type ToBots =
  | {
      readonly type: 'connect';
      readonly id: number;
      readonly players: readonly ClusterPlayer[];
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
  /** Sign-in to playing (room joined and, for WebRTC, both DataChannels open), per connected bot, ms. */
  readonly setupMs: Float64Array;
}

export interface ProcessWindow {
  /** Every bot of the process, lost ones included. */
  readonly bots: readonly BotWindow[];
  /** Event-loop delay of the bot process over the window, ms: a busy bot process inflates the RTT. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

/** Bot process → suite. */
export type FromBots =
  | { readonly type: 'ready' }
  | ({ readonly type: 'connected'; readonly id: number } & ConnectReport)
  | ({ readonly type: 'measured'; readonly id: number } & ProcessWindow)
  | { readonly type: 'failed'; readonly message: string };
