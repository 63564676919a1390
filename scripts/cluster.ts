/**
 * `pnpm cluster`: a local cluster to try out. Starts a throwaway Redis and PostgreSQL, builds the
 * client if `client/dist` has none, then two server nodes (`node-a`, `node-b`) sharing them, their
 * output prefixed. Ctrl-C (or SIGTERM) stops the nodes, then Redis and PostgreSQL, and removes
 * every temporary directory; so does one node exiting on its own.
 *
 * CLUSTER_PORTS (default `4000,4001`): one node per port. WORKERS, if set, goes to every node.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ApiPath } from '@starcatch/shared';
import * as postgres from './services/postgres.ts';
import * as redis from './services/redis.ts';
import { formatPinoLine, paint } from './terminal-log.ts';

const root = resolve(import.meta.dirname, '..');
/** How long a node may take to answer `ApiPath.health` after it starts. */
const NODE_READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 200;
/** How long a node may take to drain and exit after SIGTERM before it gets SIGKILL. */
const NODE_STOP_TIMEOUT_MS = 10_000;
const COLORS = [36, 35, 33, 32, 34];

const say = (text: string): void => console.log(`${paint(1, '[cluster]')} ${text}`);

interface Node {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
}

const ports = parsePorts(process.env.CLUSTER_PORTS ?? '4000,4001');
const nodes: Node[] = [];
/** Undone in reverse order on the way out: temp dirs, PostgreSQL, Redis. */
const cleanups: (() => Promise<void> | void)[] = [];
let builder: ChildProcess | undefined;
let stopping = false;
let exitCode = 0;

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

// Settles once whatever `up` started is registered for cleanup; a shutdown waits for that.
const started = up().then(
  () => true,
  (error: unknown) => {
    if (stopping) return true;
    console.error(`${paint(31, '[cluster]')} ${error instanceof Error ? error.message : String(error)}`);
    exitCode = 1;
    return false;
  },
);
if (!(await started)) await shutdown('start failed');

async function up(): Promise<void> {
  say('starting Redis and PostgreSQL');
  const services = await Promise.allSettled([redis.start(), postgres.start()]);
  for (const service of services) if (service.status === 'fulfilled') cleanups.push(service.value.stop);
  for (const service of services) if (service.status === 'rejected') throw service.reason;
  const [redisService, postgresService] = services.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
  if (!redisService || !postgresService || stopping) return;
  say(`Redis ${redisService.url}, PostgreSQL ${postgresService.url}`);

  if (!existsSync(join(root, 'client', 'dist', 'index.html'))) {
    say('client/dist has no index.html: running pnpm build');
    await build();
    if (stopping) return;
  }

  const dataRoot = mkdtempSync(join(tmpdir(), 'starcatch-cluster-'));
  cleanups.push(() => rmSync(dataRoot, { recursive: true, force: true }));
  const secretKey = randomBytes(32).toString('base64url');
  const env = (name: string, port: number): Record<string, string> => ({
    PORT: String(port),
    REDIS_URL: redisService.url,
    DATABASE_URL: postgresService.url,
    SECRET_KEY: secretKey,
    CLIENT_DIST: 'client/dist',
    NODE_NAME: name,
    DATA_DIR: join(dataRoot, name),
    NODE_ENV: process.env.NODE_ENV ?? 'production',
    ...(process.env.WORKERS && { WORKERS: process.env.WORKERS }),
  });
  // The first node alone, then the rest: on the fresh database the first one runs the migrations.
  for (const [index, port] of ports.entries()) {
    if (stopping) return;
    const name = `node-${String.fromCharCode(97 + index)}`;
    const node = startNode(name, port, COLORS[index % COLORS.length] ?? 36, env(name, port));
    nodes.push(node);
    if (index === 0) await waitUntilReady(node);
  }
  await Promise.all(nodes.slice(1).map(waitUntilReady));
  if (stopping) return;
  say(`up: ${nodes.map((node) => `http://localhost:${node.port}`).join('  ')}  (Ctrl-C stops everything)`);
}

function startNode(name: string, port: number, colorCode: number, env: Record<string, string>): Node {
  // Its own process group, so Ctrl-C reaches only this script, which stops the nodes before Redis.
  const child = spawn(process.execPath, ['server/src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = paint(colorCode, `[${name}]`.padEnd(9));
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      createInterface({ input: stream }).on('line', (line) => console.log(`${prefix} ${formatPinoLine(line)}`));
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    say(`${name} exited (${signal ?? `code ${code}`}); stopping the rest`);
    exitCode = code || 1;
    void shutdown('node exited');
  });
  return { name, port, child };
}

/** Polls the node's health route until it answers 200. */
async function waitUntilReady(node: Node): Promise<void> {
  const deadline = Date.now() + NODE_READY_TIMEOUT_MS;
  while (!stopping) {
    if (await healthy(node.port)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${node.name} did not answer ${ApiPath.health} within NODE_READY_TIMEOUT_MS (${NODE_READY_TIMEOUT_MS} ms)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: ApiPath.health, timeout: 2_000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}

/** `pnpm build`, its output prefixed; rejects if it fails. Stopped with the rest on Ctrl-C. */
async function build(): Promise<void> {
  const child = spawn('pnpm', ['build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  builder = child;
  const prefix = paint(2, '[build]'.padEnd(9));
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => console.log(`${prefix} ${line}`));
  }
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  builder = undefined;
  if (code !== 0 && !stopping) throw new Error(`pnpm build failed (${signal ?? `exit ${code}`})`);
}

async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`stopping (${reason})`);
  builder?.kill('SIGTERM');
  await started;
  await Promise.all(nodes.map(({ child }) => stopChild(child)));
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error(
        `${paint(31, '[cluster]')} cleanup failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      exitCode ||= 1;
    }
  }
  say('stopped');
  process.exit(exitCode);
}

/** SIGTERM (the node drains its sockets with 1012), SIGKILL after NODE_STOP_TIMEOUT_MS. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), NODE_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function parsePorts(text: string): number[] {
  const list = text.split(',').map((port) => Number(port.trim()));
  if (
    list.length === 0 ||
    list.length > 26 ||
    list.some((port) => !Number.isInteger(port) || port < 1 || port > 65_535)
  ) {
    console.error(`CLUSTER_PORTS: expected comma-separated TCP ports, e.g. 4000,4001; got "${text}"`);
    process.exit(78);
  }
  if (new Set(list).size !== list.length) {
    console.error(`CLUSTER_PORTS: every node needs its own port; got "${text}"`);
    process.exit(78);
  }
  return list;
}
