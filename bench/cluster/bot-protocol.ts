/** The cluster suites' players and windows, over the bench's bot IPC (`support/bot-protocol.ts`). */
import { BotFleet } from '../support/bot-fleet.ts';
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

export interface ProcessWindow {
  /** Every bot of the process, lost ones included. */
  readonly bots: readonly BotWindow[];
  /** Event-loop delay of the bot process over the window, ms: a busy bot process inflates the RTT. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

/** Bot processes (`bot-process.ts`) whose players all use one node: a suite runs one fleet per node. */
export type ClusterFleet = BotFleet<ClusterPlayer, ProcessWindow>;

/** Setup is sign-in to playing: room joined and, for WebRTC, both DataChannels open. */
export const startClusterFleet = (processes: number, httpUrl: string, socketEndpoint: string): Promise<ClusterFleet> =>
  BotFleet.start(new URL('./bot-process.ts', import.meta.url), processes, httpUrl, socketEndpoint);
