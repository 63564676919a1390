import { type ChildProcess, fork } from 'node:child_process';
import { nextMessage } from '../support/child-process.ts';
import type { BotPlayer, ConnectReport, FromBots, ToBots, WindowReport } from './bot-protocol.ts';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * The bench's players spread over several bot processes (`bot-process.ts`), none of them the
 * server's: on 2 cores one process alone could not do the werift work of 200 peers.
 */
export class BotFleet {
  readonly #children: ChildProcess[];
  #nextId = 0;
  #nextChild = 0;

  private constructor(children: ChildProcess[]) {
    this.#children = children;
  }

  static async start(processes: number, httpUrl: string, socketUrl: string): Promise<BotFleet> {
    const children = Array.from({ length: processes }, () =>
      fork(new URL('./bot-process.ts', import.meta.url), [httpUrl, socketUrl], {
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const fleet = new BotFleet(children);
    try {
      await Promise.all(children.map((child) => reply(child, (m) => m.type === 'ready', START_TIMEOUT_MS)));
    } catch (cause) {
      await fleet.stop();
      throw cause;
    }
    return fleet;
  }

  get pids(): number[] {
    return this.#children.map((child) => child.pid ?? -1);
  }

  /**
   * Adds players, dealt round-robin over the processes; each process negotiates with
   * `inFlight / processes` at a time, so at most `inFlight` negotiations run at once.
   */
  async connect(players: readonly BotPlayer[], inFlight: number, openTimeoutMs: number): Promise<ConnectReport> {
    const shares: BotPlayer[][] = this.#children.map(() => []);
    for (const player of players) {
      shares[this.#nextChild++ % shares.length]?.push(player);
    }
    const concurrency = Math.max(1, Math.floor(inFlight / this.#children.length));
    const timeoutMs = openTimeoutMs * Math.ceil(players.length / inFlight + 2) + 10_000;
    const reports = await Promise.all(
      this.#children.map((child, i) => {
        const id = this.#nextId++;
        const share = shares[i] ?? [];
        const answer = reply(child, (m) => m.type === 'connected' && m.id === id, timeoutMs);
        child.send({ type: 'connect', id, players: share, concurrency, openTimeoutMs } satisfies ToBots);
        return answer as Promise<ConnectReport>;
      }),
    );
    const setup = new Float64Array(reports.reduce((n, r) => n + r.setupMs.length, 0));
    let at = 0;
    for (const report of reports) {
      setup.set(report.setupMs, at);
      at += report.setupMs.length;
    }
    return {
      connected: reports.reduce((n, r) => n + r.connected, 0),
      failed: reports.reduce((n, r) => n + r.failed, 0),
      errors: reports.flatMap((r) => r.errors).slice(0, 5),
      setupMs: setup,
    };
  }

  /** One measured window in every process at once; resolves with each process's report. */
  measure(windowMs: number, drainMs: number): Promise<WindowReport[]> {
    return Promise.all(
      this.#children.map((child) => {
        const id = this.#nextId++;
        const answer = reply(child, (m) => m.type === 'measured' && m.id === id, windowMs + drainMs + 10_000);
        child.send({ type: 'measure', id, windowMs, drainMs } satisfies ToBots);
        return answer as Promise<WindowReport>;
      }),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              resolve();
              return;
            }
            const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (child.connected) child.send({ type: 'stop' } satisfies ToBots);
            else child.kill('SIGKILL');
          }),
      ),
    );
  }
}

/** The child's next message that `matches` (`failed`, an exit or the timeout reject). */
function reply(child: ChildProcess, matches: (message: FromBots) => boolean, timeoutMs: number): Promise<FromBots> {
  return nextMessage(
    child,
    (message: FromBots): message is FromBots => matches(message),
    timeoutMs,
    `bot process ${child.pid}`,
  );
}
