/**
 * Real server processes (`node server/src/main.ts`) forming a cluster on a test's own Redis and a
 * fresh PostgreSQL database, so a test can kill one with SIGKILL as a crash would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiPath, SOCKET_PATH, type User } from '@starcatch/shared';
import pg from 'pg';
import { signInGuest } from './guest-sign-in.ts';
import { LOOPBACK_ADDRESS_LIMITS, REPO_ROOT, SERVER_ENTRY, untilListening } from './server-child.ts';

/** A cold start (type stripping, migrations, Redis) takes about a second; more on a loaded machine. */
const NODE_START_TIMEOUT_MS = 20_000;
const NODE_STOP_TIMEOUT_MS = 5_000;
export const CLUSTER_SECRET = 'cluster-test-secret-key-that-is-long-enough';

/** What GameBot and the phoenix helpers need of a server: where it is, and a way to sign in. */
export interface ServerEndpoint {
  readonly httpUrl: string;
  readonly socketUrl: string;
  signIn(nickname?: string): Promise<{ token: string; user: User }>;
}

export interface ClusterProcess extends ServerEndpoint {
  readonly name: string;
  readonly pid: number;
  /** Everything the node logged (pino JSON lines), for assertions and failure reports. */
  readonly output: string[];
  /** SIGKILL: no drain, no lease given back, no goodbye to the cluster. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL if it does not exit in time. */
  stop(): Promise<void>;
}

let guests = 0;

/** A fresh, empty database on the shared throwaway PostgreSQL; returns its URL. */
export async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `cluster_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Starts one node; resolves once it listens. */
export async function startClusterProcess(
  name: string,
  env: { REDIS_URL: string; DATABASE_URL: string } & Record<string, string>,
): Promise<ClusterProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), `starcatch-${name}-`));
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      SECRET_KEY: CLUSTER_SECRET,
      NODE_NAME: name,
      ...LOOPBACK_ADDRESS_LIMITS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  const httpUrl = await untilListening(child, {
    what: `cluster node ${name}`,
    timeoutMs: NODE_START_TIMEOUT_MS,
    output,
  });
  const pid = child.pid ?? -1;
  const cleanup = () => rm(dataDir, { recursive: true, force: true });
  return {
    name,
    pid,
    output,
    httpUrl,
    socketUrl: `${httpUrl.replace('http', 'ws')}${SOCKET_PATH}`,
    async signIn(nickname = `guest${++guests}`) {
      return signInGuest(httpUrl, nickname);
    },
    async kill() {
      await ended(child, 'SIGKILL');
      await cleanup();
    },
    async stop() {
      await ended(child, 'SIGTERM');
      await cleanup();
    },
  };
}

async function ended(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), NODE_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** `GET /api/v1/health` of a node. */
export async function health(node: ServerEndpoint): Promise<{ node?: string; nodes?: string[]; peers: number }> {
  const response = await fetch(`${node.httpUrl}${ApiPath.health}`);
  return (await response.json()) as { node?: string; nodes?: string[]; peers: number };
}
