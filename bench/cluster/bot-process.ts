import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ClusterPlayer, ConnectReport, FromBots, ProcessWindow, ToBots } from './bot-protocol.ts';
import { ClusterBot } from './cluster-bot.ts';

/**
 * Child-process entry: a share of the cluster suite's players, all on one node (`httpUrl`,
 * `socketUrl`), each a `ClusterBot`. Same shape as `webrtc/bot-process.ts`, with per-bot reports.
 * Usage (from the suite only): fork('bot-process.ts', [httpUrl, socketUrl]).
 */
const [httpUrl = '', socketUrl = ''] = process.argv.slice(2);
const urls = { http: httpUrl, socket: socketUrl };
// With a callback, a send to a suite that is already gone fails quietly instead of crashing.
const send = (message: FromBots): void => {
  process.send?.(message, undefined, undefined, () => undefined);
};

const INPUT_TICK_MS = 2;
const LIFETIME_MS = 15 * 60_000;

const bots: ClusterBot[] = [];
let nextNickname = 0;

setTimeout(() => process.exit(3), LIFETIME_MS).unref();
process.on('disconnect', () => process.exit(0));

const inputClock = setInterval(() => {
  const now = performance.now();
  for (const bot of bots) {
    if (bot.nextInputAt <= now && !bot.lost) bot.sendInput(now);
  }
}, INPUT_TICK_MS);

async function connect(
  players: readonly ClusterPlayer[],
  concurrency: number,
  openTimeoutMs: number,
): Promise<ConnectReport> {
  const setup: number[] = [];
  const errors: string[] = [];
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < players.length; i = next++) {
      const player = players[i] as ClusterPlayer;
      const startedAt = performance.now();
      try {
        const bot = await ClusterBot.connect(
          urls,
          { ...player, nickname: `${player.nickname}${nextNickname++}` },
          openTimeoutMs,
        );
        setup.push(performance.now() - startedAt);
        bot.play(performance.now());
        bots.push(bot);
      } catch (cause) {
        failed++;
        if (errors.length < 5)
          errors.push(`${player.label}: ${cause instanceof Error ? cause.message : String(cause)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, players.length) }, worker));
  return { connected: setup.length, failed, errors, setupMs: Float64Array.from(setup) };
}

async function measure(windowMs: number, drainMs: number): Promise<ProcessWindow> {
  const start = performance.now();
  for (const bot of bots) bot.open(start, start + windowMs);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  await sleep(windowMs);
  delay.disable();
  // Inputs sent at the end of the window get their acks during the drain.
  await sleep(drainMs);
  return {
    bots: bots.map((bot) => bot.report()),
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
    setTimeout(() => process.exit(0), 200);
  }
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

send({ type: 'ready' });
