import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import * as postgres from '../../scripts/services/postgres.ts';
import * as redis from '../../scripts/services/redis.ts';
import { freshDatabase } from '../../server/test/support/cluster-process.ts';
import { type CpuPlan, onServerCpus } from './affinity.ts';

/**
 * The cluster's shared services for the bench: throwaway Redis and PostgreSQL from
 * `scripts/services/`, started on the server CPUs. Redis's pid is looked up so its CPU time can be
 * read from /proc like the servers'.
 */
export interface BenchRedis {
  readonly url: string;
  readonly port: number;
  /** undefined when the process could not be found in /proc. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export interface BenchPostgres {
  readonly url: string;
  /** A new, empty database on this server; returns its URL. */
  database(): Promise<string>;
  stop(): Promise<void>;
}

/** Counters from Redis's `INFO stats`: every command, pub/sub or not. */
export interface RedisInfo {
  readonly commands: number;
  readonly netInputBytes: number;
  readonly netOutputBytes: number;
}

const REDIS_TIMEOUT_MS = 2_000;
/** On the way out of a crashed bench: how long to wait for a killed service before removing its directory. */
const EXIT_WAIT_MS = 3_000;

export async function startRedis(plan: CpuPlan | undefined): Promise<BenchRedis> {
  const service = await onServerCpus(plan, () => redis.start());
  const pid = findPid((cmdline) => cmdline.includes('redis-server') && hasPort(cmdline, service.port));
  // Redis runs in the directory `stop` removes (its `--dir`).
  const dir = pid === undefined ? undefined : readlinkOrUndefined(`/proc/${pid}/cwd`);
  // If the bench dies without its finally blocks, Redis (detached) must not outlive it.
  const kill = (): void => {
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    if (pid !== undefined) waitUntilGone(pid, EXIT_WAIT_MS);
    if (dir?.includes('starcatch-redis-')) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', kill);
  return {
    url: service.url,
    port: service.port,
    pid,
    async stop() {
      process.off('exit', kill);
      await service.stop();
    },
  };
}

export async function startPostgres(plan: CpuPlan | undefined): Promise<BenchPostgres> {
  const service = await onServerCpus(plan, () => postgres.start());
  let dir: string | undefined;
  const pid = findPid((cmdline) => {
    if (!/\/postgres\b/.test(cmdline) || !hasPort(cmdline, service.port)) return false;
    const data = / -D (\S+)/.exec(cmdline)?.[1];
    dir = data === undefined ? undefined : dirname(data);
    return true;
  });
  // SIGQUIT: PostgreSQL's immediate shutdown, for a bench that dies without its finally blocks.
  const kill = (): void => {
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {}
    }
    if (pid !== undefined) waitUntilGone(pid, EXIT_WAIT_MS);
    if (dir?.includes('starcatch-pg-')) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', kill);
  return {
    url: service.url,
    database: () => freshDatabase(service.url),
    async stop() {
      process.off('exit', kill);
      await service.stop();
    },
  };
}

/** `INFO stats`: undefined when Redis does not answer in time. */
export async function redisInfo(port: number): Promise<RedisInfo | undefined> {
  const text = await redisCommand(port, ['INFO', 'stats']);
  if (text === undefined) return undefined;
  const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    commands: field('total_commands_processed'),
    netInputBytes: field('total_net_input_bytes'),
    netOutputBytes: field('total_net_output_bytes'),
  };
}

/** Which node holds a room's lease (the key docs/architecture.md names); undefined when none does. */
export function roomHost(port: number, roomId: string): Promise<string | undefined> {
  return redisCommand(port, ['GET', `starcatch:room:${roomId}:host`]);
}

/**
 * One command over a bare RESP connection; resolves with a bulk or simple string reply, or
 * undefined for a nil, an error, another reply type or no answer in time.
 */
function redisCommand(port: number, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = Buffer.alloc(0);
    let settled = false;
    const finish = (value: string | undefined): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(REDIS_TIMEOUT_MS, () => finish(undefined));
    socket.once('error', () => finish(undefined));
    socket.once('close', () => finish(undefined));
    socket.once('connect', () => {
      const parts = args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
      socket.write(`*${args.length}\r\n${parts.join('')}`);
    });
    socket.on('data', (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      const lineEnd = reply.indexOf('\r\n');
      if (lineEnd < 0) return;
      const line = reply.toString('utf8', 0, lineEnd);
      if (line.startsWith('+')) finish(line.slice(1));
      else if (!line.startsWith('$') || line === '$-1') finish(undefined);
      else if (reply.length >= lineEnd + 2 + Number(line.slice(1))) {
        finish(reply.toString('utf8', lineEnd + 2, lineEnd + 2 + Number(line.slice(1))));
      }
    });
  });
}

/** Redis shows `redis-server 127.0.0.1:<port>` as its title; PostgreSQL has `-p <port>` in its argv. */
function hasPort(cmdline: string, port: number): boolean {
  return cmdline.endsWith(`:${port}`) || cmdline.includes(`:${port} `) || cmdline.includes(` -p ${port} `);
}

/** The first process whose command line (NULs as spaces) matches; undefined when none does. */
function findPid(matches: (cmdline: string) => boolean): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (matches(cmdline)) return Number(entry);
    } catch {}
  }
  return undefined;
}

function readlinkOrUndefined(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** Blocks (an exit handler cannot wait otherwise) until /proc/<pid> is gone or `timeoutMs` passed. */
export function waitUntilGone(pid: number, timeoutMs: number): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      // A zombie (our own child not yet reaped) is as good as gone.
      if (/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return;
    } catch {
      return;
    }
    Atomics.wait(pause, 0, 0, 20);
  }
}
