import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import {
  LOOPBACK_ADDRESS_LIMITS,
  REPO_ROOT,
  SERVER_ENTRY,
  untilListening,
} from '../../server/test/support/server-child.ts';

/** The built client every e2e server serves. */
export const CLIENT_DIST = resolve(REPO_ROOT, 'client', 'dist');

/** A cold start (type-stripping the server's TypeScript, generating a secret) takes about a second. */
export const SERVER_START_TIMEOUT_MS = 15_000;
/** The server drains its sockets on SIGTERM; past this it gets SIGKILL. */
export const SERVER_STOP_TIMEOUT_MS = 5_000;

export interface ServerOptions {
  /** Where the server keeps its secret key; reuse it across a restart to keep tokens valid. */
  readonly dataDir: string;
  /** 0 (the default) lets the OS pick; pass the old port to restart a server where it was. */
  readonly port?: number;
  readonly env?: Readonly<Record<string, string>>;
  /** Prefix of the lines the server's output is echoed with; tells apart several servers of one spec. */
  readonly label?: string;
}

export interface RunningServer {
  readonly baseUrl: string;
  readonly port: number;
  readonly pid: number;
  /** Everything the server wrote so far (pino JSON lines and stderr chunks), for a failure's report. */
  readonly output: readonly string[];
  /** SIGTERM, then SIGKILL if it has not exited after `SERVER_STOP_TIMEOUT_MS`. */
  stop(): Promise<void>;
}

/**
 * Starts the real server (`node server/src/main.ts`) serving the built client, and resolves once
 * it listens. The port comes from the server's own "Server listening at" log line, so port 0 works
 * without racing another process for a port we picked.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(options.port ?? 0),
      DATA_DIR: options.dataDir,
      CLIENT_DIST,
      LOG_LEVEL: 'info',
      ...LOOPBACK_ADDRESS_LIMITS,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const label = options.label ?? 'server';
  const output: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output.push(chunk);
    process.stderr.write(`[${label}] ${chunk}`);
  });

  const baseUrl = await untilListening(child, {
    what: 'The e2e server',
    timeoutMs: SERVER_START_TIMEOUT_MS,
    output,
    onLine: (line) => forwardProblems(line, label),
  });

  const pid = child.pid;
  if (pid === undefined) throw new Error('The e2e server has no pid');
  return { baseUrl, port: Number(new URL(baseUrl).port), pid, output, stop: () => stopChild(child) };
}

/** Sends SIGTERM to a process by pid and waits for it to go, with SIGKILL as the fallback. */
export async function stopPid(pid: number): Promise<void> {
  if (!signal(pid, 'SIGTERM')) return;
  const deadline = Date.now() + SERVER_STOP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!signal(pid, 0)) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  signal(pid, 'SIGKILL');
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), SERVER_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** `process.kill` that reports whether the process was there instead of throwing. */
function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Keeps the test output quiet, except for the server's warnings and errors (pino level >= 40). */
function forwardProblems(line: string, label: string): void {
  try {
    const entry = JSON.parse(line) as { level?: number };
    if ((entry.level ?? 0) >= 40) process.stderr.write(`[${label}] ${line}\n`);
  } catch {
    process.stderr.write(`[${label}] ${line}\n`);
  }
}
