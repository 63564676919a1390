import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemoryReport, MemoryRequest } from './probe-protocol.ts';
import { readProcStats } from './proc-stats.ts';

/** The server's memory right after a full GC, bytes. */
export interface ServerMemory {
  /** From /proc/<pid>/status, read once the GC is done. */
  readonly rss: number;
  /** The same, read just before the GC: what the process holds as it runs. */
  readonly rssBeforeGc: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly spaces: MemoryReport['spaces'];
  /** Event-loop delay of the server since the previous reading, ms. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

/** The production entry point (`server/src/main.ts`) running in a child process. */
export interface RealServer {
  readonly pid: number;
  readonly port: number;
  /** `ws://127.0.0.1:<port>/socket/websocket` */
  readonly socketUrl: string;
  readonly httpUrl: string;
  /** The exit code or signal if the server has stopped on its own, else undefined. */
  exited(): string | undefined;
  /** Heap and RSS right after a full GC in the server. */
  memory(): Promise<ServerMemory>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
const READY_POLL_MS = 100;
const MEMORY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Starts `node server/src/main.ts` on a free loopback port with a fresh data directory and a fixed
 * secret (so the suite can mint session tokens itself), preloading `memory-probe.ts`. Resolves once
 * `/api/v1/health` answers 200.
 */
export async function startRealServer(secretKey: string): Promise<RealServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'starcatch-bench-'));
  const child = fork(new URL('../../server/src/main.ts', import.meta.url), [], {
    execArgv: ['--expose-gc', '--import', new URL('./memory-probe.ts', import.meta.url).href],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SECRET_KEY: secretKey,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  let exitStatus: string | undefined;
  child.once('exit', (code, signal) => {
    exitStatus = signal ?? `code ${code}`;
    rmSync(dataDir, { recursive: true, force: true });
  });
  const httpUrl = `http://127.0.0.1:${port}`;
  try {
    await waitReady(`${httpUrl}/api/v1/health`, () => exitStatus);
  } catch (cause) {
    child.kill('SIGKILL');
    throw cause;
  }
  let nextId = 0;
  return {
    pid: child.pid ?? -1,
    port,
    socketUrl: `ws://127.0.0.1:${port}/socket/websocket`,
    httpUrl,
    exited: () => exitStatus,
    memory: async () => {
      const rssNow = (): number => readProcStats(child.pid ?? -1)?.rssBytes ?? Number.NaN;
      const rssBeforeGc = rssNow();
      const { type: _type, id: _id, ...report } = await askMemory(child, nextId++);
      return { rss: rssNow(), rssBeforeGc, ...report };
    },
    stop: () => stopChild(child),
  };
}

async function waitReady(url: string, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const status = exited();
    if (status !== undefined) throw new Error(`server exited (${status}) while starting`);
    if ((await httpStatus(url)) === 200) return;
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw new Error(`server was not ready within ${START_TIMEOUT_MS} ms`);
}

/**
 * GET without keep-alive, so the probe's connection does not linger in the server's descriptor
 * count; 0 when the request fails (not listening yet, or the connection was reset).
 */
export function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false, timeout: READY_POLL_MS * 50 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
  });
}

/** A port the kernel just handed out on loopback; the server binds it right after. */
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

function askMemory(child: ChildProcess, id: number): Promise<MemoryReport> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error('server did not answer a memory request'));
    }, MEMORY_TIMEOUT_MS);
    const onMessage = (raw: unknown): void => {
      const message = raw as MemoryReport;
      if (message.type !== 'bench:memory' || message.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.send({ type: 'bench:memory', id } satisfies MemoryRequest);
  });
}

/** SIGTERM (the server drains its sockets and exits), SIGKILL if it takes too long. */
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
