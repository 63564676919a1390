import { runBotProcess } from '../support/bot-process.ts';
import type { ClusterPlayer, ProcessWindow } from './bot-protocol.ts';
import { ClusterBot } from './cluster-bot.ts';

/**
 * Child-process entry: a share of a cluster suite's players, all on one node, each a `ClusterBot`
 * with its own meter, reported bot by bot. Usage (from the suite only, through `BotFleet`):
 * fork('bot-process.ts', [httpUrl, socketEndpoint]).
 */
runBotProcess<ClusterPlayer, ClusterBot, ProcessWindow>({
  lifetimeMs: 15 * 60_000,
  connect: (urls, player, openTimeoutMs) => ClusterBot.connect(urls, player, openTimeoutMs),
  label: (player) => player.label,
  open: (bots, start, end) => {
    for (const bot of bots) bot.open(start, end);
  },
  report: (bots) => ({ bots: bots.map((bot) => bot.report()) }),
});
