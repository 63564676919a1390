import { type ChildProcess, fork } from 'node:child_process';
import { nextMessage } from '../support/child-process.ts';
import type { ClusterPlayer, ConnectReport, FromBots, ProcessWindow, ToBots } from './bot-protocol.ts';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Bot processes (`bot-process.ts`) whose players all use one node, as `webrtc/bot-fleet.ts` does
 * for one server: a cluster suite runs one fleet per node it puts players on.
 */
export class ClusterFleet {
  readonly #children: ChildProcess[];
  #nextId = 0;
  #nextChild = 0;

  private constructor(children: ChildProcess[]) {
    this.#children = children;
  }

  static async start(processes: number, httpUrl: string, socketEndpoint: string): Promise<ClusterFleet> {
    const children = Array.from({ length: processes }, () =>
      fork(new URL('./bot-process.ts', import.meta.url), [httpUrl, socketEndpoint], {
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const fleet = new ClusterFleet(children);
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

  /** Adds players round-robin over the processes, `inFlight` negotiations at once in all. */
  async connect(players: readonly ClusterPlayer[], inFlight: number, openTimeoutMs: number): Promise<ConnectReport> {
    const shares: ClusterPlayer[][] = this.#children.map(() => []);
    for (const player of players) shares[this.#nextChild++ % shares.length]?.push(player);
    const concurrency = Math.max(1, Math.floor(inFlight / this.#children.length));
    const timeoutMs = openTimeoutMs * Math.ceil(players.length / inFlight + 2) + 10_000;
    const ids = this.#children.map(() => this.#nextId++);
    const answers = this.#children.map(
      (child, i) => reply(child, (m) => m.type === 'connected' && m.id === ids[i], timeoutMs) as Promise<ConnectReport>,
    );
    sendAll(this.#children, answers, (i) => ({
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

  /** One measured window in every process at once. */
  measure(windowMs: number, drainMs: number): Promise<ProcessWindow[]> {
    const ids = this.#children.map(() => this.#nextId++);
    const answers = this.#children.map(
      (child, i) =>
        reply(
          child,
          (m) => m.type === 'measured' && m.id === ids[i],
          windowMs + drainMs + 10_000,
        ) as Promise<ProcessWindow>,
    );
    sendAll(this.#children, answers, (i) => ({ type: 'measure', id: ids[i] ?? -1, windowMs, drainMs }));
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
            if (child.connected) child.send({ type: 'stop' } satisfies ToBots);
            else child.kill('SIGKILL');
          }),
      ),
    );
  }
}

/**
 * Sends each child its message. The answers are awaited together by the caller; should a send
 * throw (a child already gone), none of them is left rejecting with no one listening.
 */
function sendAll(
  children: readonly ChildProcess[],
  answers: readonly Promise<unknown>[],
  message: (i: number) => ToBots,
): void {
  for (const answer of answers) answer.catch(() => undefined);
  for (const [i, child] of children.entries()) {
    if (!child.connected) throw new Error(`bot process ${child.pid} is gone`);
    // With a callback a failed send is reported there, not as an 'error' event nobody listens to.
    child.send(message(i), (error) => {
      if (error) child.kill('SIGKILL');
    });
  }
}

function reply(child: ChildProcess, matches: (message: FromBots) => boolean, timeoutMs: number): Promise<FromBots> {
  return nextMessage(
    child,
    (message: FromBots): message is FromBots => matches(message),
    timeoutMs,
    `bot process ${child.pid}`,
  );
}
