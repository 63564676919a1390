import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { freePort } from '../../../scripts/services/free-port.ts';

/** How long a fresh redis-server may take to answer PING. */
const START_TIMEOUT_MS = 10_000;
const START_POLL_MS = 20;
/** How long `stop` waits for the process to exit after SIGKILL or SHUTDOWN. */
const STOP_TIMEOUT_MS = 5_000;

/** Servers still running when the test process exits are killed with it, not left behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Whether Debian's `redis-server` is on the PATH. */
export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * A throwaway `redis-server` (no persistence, loopback only) on a free port, which a test can stop
 * and restart on the same port to take Redis away from the nodes and give it back.
 */
export class RedisServer {
  readonly port: number;
  #process: ChildProcess | undefined;
  #output = '';

  private constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#process !== undefined;
  }

  /** Starts the server again on the same port (no-op while it runs); resolves once it answers PING. */
  async restart(): Promise<void> {
    if (this.#process) return;
    this.#output = '';
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk: Buffer) => this.#capture(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.#capture(chunk));
    child.once('error', (error) => this.#capture(Buffer.from(String(error))));
    child.once('exit', () => {
      live.delete(child);
      if (this.#process === child) this.#process = undefined;
    });
    live.add(child);
    this.#process = child;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await ping(this.port))) {
      if (!this.#process || Date.now() > deadline) {
        await this.stop();
        throw new Error(`redis-server did not start on port ${this.port}:\n${this.#output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, START_POLL_MS));
    }
  }

  /**
   * `kill` (default): SIGKILL, as a crash: clients see their connections reset. `shutdown`:
   * SHUTDOWN NOSAVE, the clean way. Resolves once the process has exited.
   */
  async stop(mode: 'kill' | 'shutdown' = 'kill'): Promise<void> {
    const child = this.#process;
    if (!child) return;
    const exited = once(child, 'exit');
    if (mode === 'shutdown') await command(this.port, 'SHUTDOWN NOSAVE').catch(() => child.kill('SIGKILL'));
    else child.kill('SIGKILL');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    this.#process = undefined;
  }

  #capture(chunk: Buffer): void {
    // Enough to explain a failed start, not a log.
    if (this.#output.length < 8_192) this.#output += chunk.toString();
  }
}

/** Sends one inline command and resolves with the first reply line. */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.slice(0, reply.indexOf('\r\n')));
      }
    });
    socket.once('close', () => resolve(reply));
  });
}

async function ping(port: number): Promise<boolean> {
  try {
    return (await command(port, 'PING')) === '+PONG';
  } catch {
    return false;
  }
}
