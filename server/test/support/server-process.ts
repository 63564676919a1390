/**
 * One real server process (`node server/src/main.ts`), for tests of what only a process shows:
 * signals, exit codes, a crash and a restart on the same port and data directory. Its log (pino
 * JSON lines on stdout) is kept, raw and parsed.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { SOCKET_PATH, type User } from '@starcatch/shared';
import type { ServerEndpoint } from './cluster-process.ts';
import { signInGuest } from './guest-sign-in.ts';
import { LISTENING, LOOPBACK_ADDRESS_LIMITS, REPO_ROOT, SERVER_ENTRY } from './server-child.ts';

/** Loaded with `--import` when a test asks for it: SIGUSR2 then makes the server fail (see the file). */
export const INJECT_FAULT = resolve(import.meta.dirname, 'inject-fault.ts');
/** A cold start (type stripping, migrations) takes about a second; more on a loaded machine. */
const START_TIMEOUT_MS = 20_000;
export const PROCESS_SECRET = 'server-process-test-secret-key-long-enough';

export type LogEntry = Record<string, unknown> & { level?: number; msg?: string };

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** performance.now() when it exited. */
  readonly at: number;
}

export interface ServerProcess extends ServerEndpoint {
  readonly pid: number;
  readonly port: number;
  readonly lines: string[];
  readonly entries: LogEntry[];
  /** Settles when the process exits, however. */
  readonly exited: Promise<Exit>;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL, resolved once it is gone. */
  kill(): Promise<Exit>;
  /** The log so far, for failure messages. */
  tail(lines?: number): string;
}

export interface ServerProcessOptions {
  readonly dataDir: string;
  /** 0: any free port (read from the log). */
  readonly port?: number;
  readonly env?: Record<string, string>;
  /** Load `inject-fault.ts` so that SIGUSR2 makes the server throw (INJECT_FAULT=exception|rejection). */
  readonly injectFault?: boolean;
}

let guests = 0;

/** Starts the server; resolves once it listens. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...(options.injectFault ? ['--import', INJECT_FAULT] : []), SERVER_ENTRY], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(options.port ?? 0),
      DATA_DIR: options.dataDir,
      LOG_LEVEL: 'info',
      SECRET_KEY: PROCESS_SECRET,
      ...LOOPBACK_ADDRESS_LIMITS,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const entries: LogEntry[] = [];
  const exited = new Promise<Exit>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal, at: performance.now() }));
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      try {
        entries.push(JSON.parse(line) as LogEntry);
      } catch {}
    });
  }
  const tail = (count = 60) => lines.slice(-count).join('\n');
  const httpUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => fail('did not start in time'), START_TIMEOUT_MS);
    void exited.then((exit) => fail(`exited early (${exit.code ?? exit.signal})`));
    const poll = setInterval(() => {
      for (const entry of entries) {
        const match = typeof entry.msg === 'string' ? LISTENING.exec(entry.msg) : null;
        if (!match?.[1]) continue;
        clearTimeout(timer);
        clearInterval(poll);
        resolveUrl(match[1]);
        return;
      }
    }, 10);
    function fail(reason: string): void {
      clearTimeout(timer);
      clearInterval(poll);
      child.kill('SIGKILL');
      reject(new Error(`server process ${reason}:\n${tail()}`));
    }
  });
  const port = Number(new URL(httpUrl).port);
  return {
    pid: child.pid ?? -1,
    port,
    lines,
    entries,
    exited,
    httpUrl,
    socketUrl: `${httpUrl.replace('http', 'ws')}${SOCKET_PATH}`,
    async signIn(nickname = `guest${++guests}`): Promise<{ token: string; user: User }> {
      return signInGuest(httpUrl, nickname);
    },
    signal: (signal) => {
      child.kill(signal);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
    tail,
  };
}

/** Kills a process that is still running (test teardown). */
export async function ensureGone(server: ServerProcess | undefined): Promise<void> {
  if (server) await server.kill();
}

/** Waits for the exit, failing with the log if it takes longer than `timeoutMs`. */
export async function exitWithin(server: ServerProcess, timeoutMs: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running ${timeoutMs} ms later:\n${server.tail()}`)), timeoutMs);
  });
  try {
    return await Promise.race([server.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
