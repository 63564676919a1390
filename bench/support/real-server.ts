import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiPath, SOCKET_PATH } from '@starcatch/shared';
import { freePort } from '../../scripts/services/free-port.ts';
import { METRICS_PATH } from '../../server/src/http/metrics-route.ts';
import { stopChild } from './child-process.ts';
import { parseMetrics, probe } from './http-probe.ts';
import { webSocketUrl } from './phoenix-frames.ts';

/** Signs the session tokens of the benchmarks' server, so a suite can mint its own. */
export const BENCH_SECRET_KEY = 'starcatch-bench-secret-key-of-32-characters-or-more';

export interface RealServerOptions {
  /** Names the temporary data directory. */
  readonly label: string;
  /** Settings on top of the bench defaults (loopback, a fresh DATA_DIR, LOG_LEVEL=warn, …). */
  readonly env?: Readonly<Record<string, string>>;
  /** Node flags for the server process: a preload, `--cpu-prof`, … */
  readonly execArgv?: readonly string[];
  /**
   * False: the server keeps its production limits (every budget at its default) instead of the
   * bench's lifted ones; for a suite that measures the limits. Default true.
   */
  readonly liftLimits?: boolean;
}

/** The production entry point (`node server/src/main.ts`) in a child process, on loopback. */
export interface RealServer {
  readonly pid: number;
  readonly port: number;
  readonly httpUrl: string;
  /** What phoenix.js is given: `ws://127.0.0.1:<port>/socket`. */
  readonly socketEndpoint: string;
  /** The raw WebSocket URL: `<socketEndpoint>/websocket`. */
  readonly socketUrl: string;
  /** The child, for suites whose preload answers over IPC. */
  readonly child: ChildProcess;
  /** Lines the server wrote (warnings and errors at LOG_LEVEL=warn), and the first few of them. */
  readonly logged: { count: number; readonly first: string[] };
  /** The exit code or signal once the server has stopped on its own, else undefined. */
  exited(): string | undefined;
  /** `GET /metrics` by name (labelled samples summed); undefined when it cannot be read. */
  metrics(): Promise<ReadonlyMap<string, number> | undefined>;
  /** SIGTERM (the server drains; `--cpu-prof` writes its profile), SIGKILL if it hangs. */
  stop(): Promise<void>;
}

/**
 * Every bench client connects from 127.0.0.1, so the per-address limits and the server-wide caps
 * (README "Limits and abuse") would refuse the crowd a suite is measuring the server with. They
 * are lifted here; a suite that measures the limits themselves sets its own in `env`.
 */
const LIMITS_LIFTED: Readonly<Record<string, string>> = {
  SIGN_INS_PER_ADDRESS_PER_MINUTE: '1000000',
  SOCKET_CONNECTS_PER_ADDRESS_PER_MINUTE: '1000000',
  MAX_SOCKETS_PER_ADDRESS: '1000000',
  ROOM_CREATES_PER_ADDRESS_PER_MINUTE: '1000000',
  ROOM_CREATES_PER_USER_PER_MINUTE: '1000000',
  MAX_OPEN_ROOMS: '1000000',
  RTC_MAX_PEERS: '1000000',
};

const START_TIMEOUT_MS = 20_000;
const POLL_MS = 50;
const LOG_LINES_KEPT = 5;
const MAIN = new URL('../../server/src/main.ts', import.meta.url);

/** Starts the server on a free port with a fresh data directory; resolves once its health check answers. */
export async function startRealServer(options: RealServerOptions): Promise<RealServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `starcatch-bench-${options.label}-`));
  const child = fork(MAIN, [], {
    execArgv: [...(options.execArgv ?? [])],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SECRET_KEY: BENCH_SECRET_KEY,
      LOG_LEVEL: 'warn',
      RTC_HOST_ADDRESSES: '127.0.0.1',
      ...(options.liftLimits === false ? {} : LIMITS_LIFTED),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  const logged = { count: 0, first: [] as string[] };
  const onLog = (chunk: Buffer): void => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      logged.count++;
      if (logged.first.length < LOG_LINES_KEPT) logged.first.push(line.slice(0, 300));
    }
  };
  child.stdout?.on('data', onLog);
  child.stderr?.on('data', onLog);
  // The server does not watch its IPC channel: a bench that dies takes it along.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let exitStatus: string | undefined;
  child.once('exit', (code, signal) => {
    exitStatus = signal ?? `code ${code}`;
    process.off('exit', killOnExit);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const httpUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilHealthy(httpUrl, () => exitStatus);
  } catch (cause) {
    child.kill('SIGKILL');
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`server did not start: ${reason}${logged.first.length ? `; ${logged.first.join(' | ')}` : ''}`);
  }
  const socketEndpoint = `ws://127.0.0.1:${port}${SOCKET_PATH}`;
  return {
    pid: child.pid ?? -1,
    port,
    httpUrl,
    socketEndpoint,
    socketUrl: webSocketUrl(socketEndpoint),
    child,
    logged,
    exited: () => exitStatus,
    async metrics() {
      const { status, body } = await probe(`${httpUrl}${METRICS_PATH}`);
      return status === 200 ? parseMetrics(body) : undefined;
    },
    stop: () => stopChild(child),
  };
}

async function waitUntilHealthy(httpUrl: string, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const status = exited();
    if (status !== undefined) throw new Error(`exited (${status}) while starting`);
    if ((await probe(`${httpUrl}${ApiPath.health}`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`no healthy answer within ${START_TIMEOUT_MS} ms`);
}
