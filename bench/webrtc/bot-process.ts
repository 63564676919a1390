import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Bot } from './bot.ts';
import type { BotPlayer, ConnectReport, FromBots, ToBots } from './bot-protocol.ts';
import { Meter } from './meter.ts';

/**
 * Child-process entry: a share of the bench's players, each a `Bot` with its own werift peer.
 * The suite sends `connect` (more players), `measure` (a window) and `stop` over IPC.
 * Usage (from the suite only): fork('bot-process.ts', [httpUrl, socketUrl]).
 */
const [httpUrl = '', socketUrl = ''] = process.argv.slice(2);
const urls = { http: httpUrl, socket: socketUrl };
const send = (message: FromBots): void => {
  process.send?.(message);
};

/** How often the input clock looks for due inputs: 2 ms keeps a 33 ms schedule within a few ms. */
const INPUT_TICK_MS = 2;
/** Orphan guard: a bot process whose suite died without stopping it exits after this long. */
const LIFETIME_MS = 10 * 60_000;

const meter = new Meter();
const bots: Bot[] = [];
let lostBots = 0;
let nextNickname = 0;

setTimeout(() => process.exit(3), LIFETIME_MS).unref();
process.on('disconnect', () => process.exit(0));

const inputClock = setInterval(() => {
  const now = performance.now();
  for (const bot of bots) {
    if (bot.nextInputAt <= now && !bot.lost) bot.sendInput(now);
  }
}, INPUT_TICK_MS);

async function connect(players: readonly BotPlayer[], concurrency: number, openTimeoutMs: number) {
  const setup: number[] = [];
  const errors: string[] = [];
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < players.length; i = next++) {
      const player = players[i] as BotPlayer;
      const startedAt = performance.now();
      try {
        const bot = await Bot.connect(urls, `${player.nickname}${nextNickname++}`, meter, openTimeoutMs);
        setup.push(performance.now() - startedAt);
        await bot.joinRoom(player.roomId);
        bot.play(performance.now());
        bots.push(bot);
      } catch (cause) {
        failed++;
        if (errors.length < 5) errors.push(cause instanceof Error ? cause.message : String(cause));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, players.length) }, worker));
  const report: ConnectReport = {
    connected: setup.length,
    failed,
    errors,
    setupMs: Float64Array.from(setup),
  };
  return report;
}

async function measure(windowMs: number, drainMs: number) {
  const start = performance.now();
  meter.open(start, start + windowMs);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  await sleep(windowMs);
  delay.disable();
  // Inputs sent at the end of the window get their acks during the drain.
  await sleep(drainMs);
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
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    loopDelayMaxMs: delay.max / 1e6,
  };
}

process.on('message', (raw) => {
  const message = raw as ToBots;
  const fail = (cause: unknown): void =>
    send({ type: 'failed', message: cause instanceof Error ? cause.message : String(cause) });
  if (message.type === 'connect') {
    connect(message.players, message.concurrency, message.openTimeoutMs).then(
      (report) => send({ type: 'connected', id: message.id, ...report }),
      fail,
    );
  } else if (message.type === 'measure') {
    measure(message.windowMs, message.drainMs).then(
      (report) => send({ type: 'measured', id: message.id, ...report }),
      fail,
    );
  } else if (message.type === 'stop') {
    clearInterval(inputClock);
    for (const bot of bots) bot.close();
    // Let the closes reach the wire, then go.
    setTimeout(() => process.exit(0), 200);
  }
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

send({ type: 'ready' });
