/** The WebRTC suite's players and windows, over the bench's bot IPC (`support/bot-protocol.ts`). */
import { BotFleet } from '../support/bot-fleet.ts';

export interface BotPlayer {
  readonly roomId: string;
  readonly nickname: string;
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

/** The WebRTC suite's bot processes (`bot-process.ts`); setup is sign-in to both DataChannels open. */
export type WebRtcFleet = BotFleet<BotPlayer, WindowReport>;

export const startWebRtcFleet = (processes: number, httpUrl: string, socketEndpoint: string): Promise<WebRtcFleet> =>
  BotFleet.start(new URL('./bot-process.ts', import.meta.url), processes, httpUrl, socketEndpoint);
