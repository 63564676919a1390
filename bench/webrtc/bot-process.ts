import { Meter } from '../support/bot-meter.ts';
import { runBotProcess } from '../support/bot-process.ts';
import { Bot } from './bot.ts';
import type { BotPlayer, WindowReport } from './bot-protocol.ts';

/**
 * Child-process entry: a share of the WebRTC suite's players, each a `Bot` with its own werift
 * peer, all counted by one meter. Usage (from the suite only, through `BotFleet`):
 * fork('bot-process.ts', [httpUrl, socketEndpoint]).
 */
const meter = new Meter();
let lostBots = 0;

runBotProcess<BotPlayer, Bot, WindowReport>({
  lifetimeMs: 10 * 60_000,
  connect: (urls, player, openTimeoutMs) => Bot.connect(urls, player.nickname, meter, openTimeoutMs),
  enter: (bot, player) => bot.joinRoom(player.roomId),
  open: (_bots, start, end) => meter.open(start, end),
  report: (bots) => {
    for (let i = bots.length - 1; i >= 0; i--) {
      const bot = bots[i] as Bot;
      if (!bot.lost) continue;
      bot.close();
      bots.splice(i, 1);
      lostBots++;
    }
    return {
      players: bots.length,
      lost: lostBots,
      inputs: meter.inputs,
      snapshots: meter.snapshots,
      events: meter.events,
      ticks: meter.ticks,
      missedSnapshots: meter.missedSnapshots,
      unackedAtSnapshots: meter.unackedAtSnapshots,
      rtts: meter.rtts(),
    };
  },
});
