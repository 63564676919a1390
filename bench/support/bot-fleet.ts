import { type ChildProcess, fork } from 'node:child_process';
import type { BotPlayerBase, ConnectReport, FromBots, ToBots } from './bot-protocol.ts';
import { nextMessage } from './child-process.ts';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * A suite's players spread over bot processes, none of them the server's: on 2 cores one process
 * alone could not do the werift work of 200 peers. `script` is the suite's bot process, a
 * `runBotProcess` (`bot-process.ts`) with the suite's bot; it is given the server's HTTP URL and
 * socket endpoint. A cluster suite runs one fleet per node it puts players on.
 */
export class BotFleet<Player extends BotPlayerBase, Window extends object> {
  readonly #children: ChildProcess[];
  #nextId = 0;
  #nextChild = 0;

  private constructor(children: ChildProcess[]) {
    this.#children = children;
  }

  static async start<Player extends BotPlayerBase, Window extends object>(
    script: URL,
    processes: number,
    httpUrl: string,
    socketEndpoint: string,
  ): Promise<BotFleet<Player, Window>> {
    const children = Array.from({ length: processes }, () =>
      fork(script, [httpUrl, socketEndpoint], {
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const fleet = new BotFleet<Player, Window>(children);
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
  async connect(players: readonly Player[], inFlight: number, openTimeoutMs: number): Promise<ConnectReport> {
    const shares: Player[][] = this.#children.map(() => []);
    for (const player of players) shares[this.#nextChild++ % shares.length]?.push(player);
    const concurrency = Math.max(1, Math.floor(inFlight / this.#children.length));
    const timeoutMs = openTimeoutMs * Math.ceil(players.length / inFlight + 2) + 10_000;
    const ids = this.#children.map(() => this.#nextId++);
    const answers = this.#children.map(
      (child, i) => reply(child, (m) => m.type === 'connected' && m.id === ids[i], timeoutMs) as Promise<ConnectReport>,
    );
    this.#sendAll(answers, (i) => ({
      type: 'connect',
      id: ids[i] ?? -1,
      players: shares[i] ?? [],
      concurrency,
      openTimeoutMs,
    }));
    const reports = await Promise.all(answers);
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
  measure(windowMs: number, drainMs: number): Promise<Window[]> {
    const ids = this.#children.map(() => this.#nextId++);
    const answers = this.#children.map(
      (child, i) =>
        reply(child, (m) => m.type === 'measured' && m.id === ids[i], windowMs + drainMs + 10_000) as Promise<Window>,
    );
    this.#sendAll(answers, (i) => ({ type: 'measure', id: ids[i] ?? -1, windowMs, drainMs }));
    return Promise.all(answers);
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
            if (child.connected) child.send({ type: 'stop' } satisfies ToBots<Player>);
            else child.kill('SIGKILL');
          }),
      ),
    );
  }

  /**
   * Sends each child its message. The answers are awaited together by the caller; should a send
   * throw (a child already gone), none of them is left rejecting with no one listening.
   */
  #sendAll(answers: readonly Promise<unknown>[], message: (i: number) => ToBots<Player>): void {
    for (const answer of answers) answer.catch(() => undefined);
    for (const [i, child] of this.#children.entries()) {
      if (!child.connected) throw new Error(`bot process ${child.pid} is gone`);
      // With a callback a failed send is reported there, not as an 'error' event nobody listens to.
      child.send(message(i), (error) => {
        if (error) child.kill('SIGKILL');
      });
    }
  }
}

/** The child's next message that `matches` (`failed`, an exit or the timeout reject). */
function reply(
  child: ChildProcess,
  matches: (message: FromBots<object>) => boolean,
  timeoutMs: number,
): Promise<FromBots<object>> {
  return nextMessage(
    child,
    (message: FromBots<object>): message is FromBots<object> => matches(message),
    timeoutMs,
    `bot process ${child.pid}`,
  );
}
