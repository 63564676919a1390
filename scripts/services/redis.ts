/**
 * A throwaway `redis-server` (Debian's `redis-server` package): loopback only, a free port, no
 * persistence, its working directory a temporary one that `stop` removes. Used by `pnpm cluster`
 * and the tests that run real server processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.ts';

/** How long a fresh redis-server may take to answer PING. */
export const REDIS_START_TIMEOUT_MS = 10_000;
const START_POLL_MS = 50;
/** How long `stop` waits after SIGTERM before SIGKILL, and then for the exit itself. */
export const REDIS_STOP_TIMEOUT_MS = 5_000;
/** Enough of the server's output to explain a failed start. */
const OUTPUT_LIMIT = 8_192;

export interface RunningService {
  /** Where clients connect, e.g. `redis://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server and deletes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts a redis-server; resolves once it answers PING. */
export async function start(): Promise<RunningService> {
  const binary = findOnPath('redis-server');
  if (!binary)
    throw new Error('redis-server not found on PATH: install the redis-server package (apt-get install redis-server)');
  const dir = mkdtempSync(join(tmpdir(), 'starcatch-redis-'));
  const port = await freePort();
  // Its own process group (`detached`), so a Ctrl-C meant for the launcher does not stop Redis
  // before the servers using it: the launcher stops it last.
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  const capture = (chunk: Buffer | string): void => {
    if (output.length < OUTPUT_LIMIT) output += chunk.toString();
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  child.on('error', (error) => capture(`${error.message}\n`));

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await ended(child, REDIS_STOP_TIMEOUT_MS);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
  while (!(await ping(port))) {
    const exited = child.exitCode !== null || child.signalCode !== null;
    if (exited || Date.now() > deadline) {
      await stop();
      const reason = exited
        ? 'exited'
        : `did not answer PING within REDIS_START_TIMEOUT_MS (${REDIS_START_TIMEOUT_MS} ms)`;
      throw new Error(`redis-server on port ${port} ${reason}:\n${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, START_POLL_MS));
  }
  return { url: `redis://127.0.0.1:${port}`, port, stop };
}

/** SIGTERM (Redis exits at once without persistence), SIGKILL after `timeoutMs`; resolves on exit. */
async function ended(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Sends PING; true once the server answers `+PONG`. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(1_000, () => socket.destroy());
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) socket.destroy();
    });
    socket.once('close', () => resolve(reply.startsWith('+PONG')));
  });
}

/** The full path of an executable on the PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}
