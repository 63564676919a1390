import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BotPlayerBase, ConnectReport, FromBots, ToBots } from './bot-protocol.ts';
import { sleep } from './measure.ts';

/** How often the input clock looks for due inputs: 2 ms keeps a 33 ms schedule within a few ms. */
const INPUT_TICK_MS = 2;

/** What the shared bot process needs of a suite's bot. */
export interface PlayingBot {
  /** When the next input is due (performance.now() ms). */
  readonly nextInputAt: number;
  /** Set when its socket or a channel went away before `close()`. */
  readonly lost: boolean;
  /** Starts its input clock. */
  play(now: number): void;
  /** Sends the input that is due. */
  sendInput(now: number): void;
  close(): void;
}

/** A suite's bot, as its bot process drives it. */
export interface BotKind<Player extends BotPlayerBase, Bot extends PlayingBot, Window extends object> {
  /** Connects one player (its nickname already made unique); resolves once it can play. Timed as setup. */
  connect(urls: BotUrls, player: Player, openTimeoutMs: number): Promise<Bot>;
  /** What the bot does after setup and before its input clock starts (not timed), if anything. */
  enter?(bot: Bot, player: Player): Promise<void>;
  /** How a failure names the player, if it does. */
  label?(player: Player): string;
  /** Starts counting a window `[start, end)` (performance.now() ms). */
  open(bots: readonly Bot[], start: number, end: number): void;
  /**
   * The window's figures, after the drain. `bots` is the process's list, which the report may
   * prune (of lost bots, say).
   */
  report(bots: Bot[]): Omit<Window, 'loopDelayP99Ms' | 'loopDelayMaxMs'>;
  /** A bot process whose suite died without stopping it exits after this long. */
  readonly lifetimeMs: number;
}

export interface BotUrls {
  readonly http: string;
  readonly socket: string;
}

/** Event-loop delay of the bot process over a window, ms: a busy bot process inflates the RTT. */
export interface ProcessLoopDelay {
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

/**
 * A bot process's whole life, for any suite's bots: the suite forks the file that calls this with
 * `[httpUrl, socketEndpoint]` (`BotFleet`) and sends `connect` (more players), `measure` (a window)
 * and `stop` over IPC. One input clock sends every bot's inputs when they are due.
 */
export function runBotProcess<Player extends BotPlayerBase, Bot extends PlayingBot, Window extends ProcessLoopDelay>(
  kind: BotKind<Player, Bot, Window>,
): void {
  const [http = '', socket = ''] = process.argv.slice(2);
  const urls: BotUrls = { http, socket };
  // With a callback, a send to a suite that is already gone fails quietly instead of crashing.
  const send = (message: FromBots<Window>): void => {
    process.send?.(message, undefined, undefined, () => undefined);
  };
  const bots: Bot[] = [];
  let nextNickname = 0;

  setTimeout(() => process.exit(3), kind.lifetimeMs).unref();
  process.on('disconnect', () => process.exit(0));

  const inputClock = setInterval(() => {
    const now = performance.now();
    for (const bot of bots) {
      if (bot.nextInputAt <= now && !bot.lost) bot.sendInput(now);
    }
  }, INPUT_TICK_MS);

  const connect = async (
    players: readonly Player[],
    concurrency: number,
    openTimeoutMs: number,
  ): Promise<ConnectReport> => {
    const setup: number[] = [];
    const errors: string[] = [];
    let failed = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < players.length; i = next++) {
        const player = players[i] as Player;
        const startedAt = performance.now();
        try {
          const bot = await kind.connect(
            urls,
            { ...player, nickname: `${player.nickname}${nextNickname++}` },
            openTimeoutMs,
          );
          setup.push(performance.now() - startedAt);
          await kind.enter?.(bot, player);
          bot.play(performance.now());
          bots.push(bot);
        } catch (cause) {
          failed++;
          const message = cause instanceof Error ? cause.message : String(cause);
          if (errors.length < 5) errors.push(kind.label ? `${kind.label(player)}: ${message}` : message);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, players.length) }, worker));
    return { connected: setup.length, failed, errors, setupMs: Float64Array.from(setup) };
  };

  const measure = async (windowMs: number, drainMs: number): Promise<Window> => {
    const start = performance.now();
    kind.open(bots, start, start + windowMs);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    await sleep(windowMs);
    delay.disable();
    // Inputs sent at the end of the window get their acks during the drain.
    await sleep(drainMs);
    return {
      ...kind.report(bots),
      loopDelayP99Ms: delay.percentile(99) / 1e6,
      loopDelayMaxMs: delay.max / 1e6,
    } as Window;
  };

  process.on('message', (raw) => {
    const message = raw as ToBots<Player>;
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

  send({ type: 'ready' });
}
