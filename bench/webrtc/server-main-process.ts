import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiPath, SOCKET_PATH } from '../../shared/src/index.ts';

/** The production server (`node server/src/main.ts`) in a child process, on loopback. */
export interface MainServer {
  readonly pid: number;
  readonly httpUrl: string;
  /** What phoenix.js is given: the socket path without `/websocket`. */
  readonly socketUrl: string;
  /** Warnings and errors the server logged so far (LOG_LEVEL=warn), and the first few of them. */
  readonly logged: { count: number; readonly first: string[] };
  /** `GET /metrics` as name → value for unlabelled samples; undefined when the server has no such route. */
  metrics(): Promise<ReadonlyMap<string, number> | undefined>;
  /** SIGTERM (graceful, and lets --cpu-prof write its profile), SIGKILL if it hangs. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const POLL_MS = 50;
const MAIN = fileURLToPath(new URL('../../server/src/main.ts', import.meta.url));

export async function startMainServer(options: { readonly profileDir?: string } = {}): Promise<MainServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'starcatch-bench-webrtc-'));
  const execArgv = options.profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=webrtc-server-${Date.now()}.cpuprofile`]
    : [];
  const child = spawn(process.execPath, [...execArgv, MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      RTC_HOST_ADDRESSES: '127.0.0.1',
      SECRET_KEY: 'bench-secret-key-that-is-at-least-32-characters',
      // Rooms stay open between the rooms' creation and their bots' joins, whatever the step's length.
      EMPTY_ROOM_TIMEOUT_MS: '600000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logged = { count: 0, first: [] as string[] };
  const onLog = (chunk: Buffer): void => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      logged.count++;
      if (logged.first.length < 5) logged.first.push(line.slice(0, 300));
    }
  };
  child.stdout?.on('data', onLog);
  child.stderr?.on('data', onLog);
  const httpUrl = `http://127.0.0.1:${port}`;
  // The server has no IPC channel to notice a dead parent: a bench that crashes takes it along.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const cleanUp = (): void => {
    process.off('exit', killOnExit);
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitUntilHealthy(child, httpUrl);
  } catch (cause) {
    child.kill('SIGKILL');
    cleanUp();
    throw new Error(`server did not start: ${cause instanceof Error ? cause.message : String(cause)}; ${logged.first}`);
  }

  return {
    pid: child.pid ?? -1,
    httpUrl,
    socketUrl: `ws://127.0.0.1:${port}${SOCKET_PATH}`,
    logged,
    async metrics() {
      const response = await fetch(`${httpUrl}/metrics`).catch(() => undefined);
      if (response?.status !== 200) return undefined;
      return parseMetrics(await response.text());
    },
    async stop() {
      await stopChild(child);
      cleanUp();
    },
  };
}

/** Unlabelled samples of a Prometheus text exposition; labelled ones are summed under their name. */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match?.[1] || match[3] === undefined) continue;
    values.set(match[1], (values.get(match[1]) ?? 0) + Number(match[3]));
  }
  return values;
}

async function waitUntilHealthy(child: ChildProcess, httpUrl: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const response = await fetch(`${httpUrl}${ApiPath.health}`).catch(() => undefined);
    if (response?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`no healthy answer within ${START_TIMEOUT_MS} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A port that was free a moment ago (the server binds it right after). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
