/**
 * `WORKERS=N` (N > 1): this process becomes a primary that forks N workers with `node:cluster`.
 * The workers share the one listening port (the primary hands out connections round-robin); each
 * runs the normal server as its own cluster node (`<node name>-w<index>`, its own slice of the
 * WebRTC port range: see `loadConfig`). The primary serves nothing itself: it restarts a worker
 * that dies (an uncaught error makes a worker drain and exit 1: see process-lifecycle.ts), and on
 * SIGTERM / SIGINT passes the signal on and exits once every worker has drained. A second signal
 * to the primary kills the workers (SIGKILL) and exits at once.
 */
import cluster, { type Worker } from 'node:cluster';
import { Socket } from 'node:dgram';
import { hostname } from 'node:os';
import { type Config, WORKER_INDEX_VARIABLE, WORKER_LIFE_VARIABLE, workerNodeName, workerPortRange } from './config.ts';

/** A worker that died is restarted after this long, doubling with every death in a row... */
export const RESTART_BACKOFF_INITIAL_MS = 1_000;
/** ...up to this. */
export const RESTART_BACKOFF_MAX_MS = 30_000;
/** A worker that ran at least this long before dying is restarted after the initial backoff again. */
export const RESTART_BACKOFF_RESET_MS = 60_000;
/**
 * Workers still running this long after their own deadline (SHUTDOWN_TIMEOUT_MS, after which a
 * worker exits by itself) get SIGKILL: a worker too stuck even for that.
 */
export const SHUTDOWN_KILL_GRACE_MS = 5_000;
/** A worker exiting with EX_CONFIG would refuse again on every restart: the primary stops instead. */
const EX_CONFIG = 78;

interface Slot {
  readonly index: number;
  /** The primary's node name; each life of the slot is named from it. */
  readonly base: string;
  /** How many workers this slot has started: a restarted worker gets a new node name. */
  lives: number;
  worker: Worker | undefined;
  startedAt: number;
  backoffMs: number;
  restartTimer: NodeJS.Timeout | undefined;
}

/** Runs the primary; it exits the process itself once shut down. */
export function runPrimary(config: Config): void {
  const log = primaryLogger(config.logLevel);
  // WORKERS > 1 requires REDIS_URL, so `cluster` is set; the fallback only names the worker.
  const base = config.cluster?.nodeName ?? `${hostname()}:${process.pid}`;
  const slots: Slot[] = Array.from({ length: config.workers }, (_, index) => ({
    index,
    base,
    lives: 0,
    worker: undefined,
    startedAt: 0,
    backoffMs: RESTART_BACKOFF_INITIAL_MS,
    restartTimer: undefined,
  }));
  let stopping: NodeJS.Signals | undefined;
  let exitCode = 0;
  // The first worker starts alone and the rest once it listens (or dies): on a fresh database it
  // runs the migrations, which concurrent first starts would race.
  let waiting = slots.slice(1);
  const startTheRest = (): void => {
    const rest = waiting;
    waiting = [];
    if (!stopping) for (const slot of rest) start(slot);
  };

  const start = (slot: Slot): void => {
    slot.restartTimer = undefined;
    const life = slot.lives++;
    const worker = cluster.fork({ [WORKER_INDEX_VARIABLE]: String(slot.index), [WORKER_LIFE_VARIABLE]: String(life) });
    slot.worker = worker;
    slot.startedAt = Date.now();
    const fields = {
      worker: slot.index,
      workerPid: worker.process.pid,
      node: workerNodeName(slot.base, slot.index, life),
    };
    const range = config.rtcPortRange && workerPortRange(config.rtcPortRange, config.workers, slot.index);
    log(30, { ...fields, ...(range && { rtcPorts: `${range[0]}-${range[1]}` }) }, 'worker started');
    worker.on('listening', (address) => {
      log(30, { ...fields, port: address.port }, 'worker listening');
      startTheRest();
    });
    worker.on('exit', (code: number | null, signal: NodeJS.Signals | null) => {
      exited(slot, worker, code, signal);
      startTheRest();
    });
  };

  const exited = (slot: Slot, worker: Worker, code: number | null, signal: NodeJS.Signals | null): void => {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    const ranMs = Date.now() - slot.startedAt;
    const fields = {
      worker: slot.index,
      workerPid: worker.process.pid,
      node: workerNodeName(slot.base, slot.index, slot.lives - 1),
      code,
      signal,
      ranMs,
    };
    if (stopping) {
      log(30, fields, 'worker exited');
      if (code !== 0 && signal !== stopping) exitCode = 1;
      finishIfDone();
      return;
    }
    if (code === EX_CONFIG) {
      log(60, fields, 'worker refused its configuration; stopping');
      exitCode = EX_CONFIG;
      shutdown('SIGTERM');
      return;
    }
    if (ranMs >= RESTART_BACKOFF_RESET_MS) slot.backoffMs = RESTART_BACKOFF_INITIAL_MS;
    const delayMs = slot.backoffMs;
    slot.backoffMs = Math.min(delayMs * 2, RESTART_BACKOFF_MAX_MS);
    log(50, { ...fields, restartInMs: delayMs }, 'worker died; restarting it');
    slot.restartTimer = setTimeout(() => start(slot), delayMs);
  };

  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log(40, { signal }, 'second signal: killing the workers and exiting now');
      for (const slot of slots) slot.worker?.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = signal;
    const running = slots.filter((slot) => slot.worker);
    log(30, { signal, workers: running.length }, 'shutting down: stopping the workers');
    for (const slot of slots) {
      clearTimeout(slot.restartTimer);
      slot.restartTimer = undefined;
      slot.worker?.process.kill(signal);
    }
    setTimeout(() => {
      for (const slot of slots) {
        if (!slot.worker) continue;
        log(40, { worker: slot.index, workerPid: slot.worker.process.pid }, 'worker did not stop in time; killing it');
        slot.worker.process.kill('SIGKILL');
      }
    }, config.shutdownTimeoutMs + SHUTDOWN_KILL_GRACE_MS).unref();
    finishIfDone();
  };

  const finishIfDone = (): void => {
    if (slots.some((slot) => slot.worker)) return;
    log(30, { exitCode }, 'all workers stopped');
    process.exit(exitCode);
  };

  // Ctrl-C also reaches the workers directly (same process group); a worker ignores a second
  // signal (process-lifecycle.ts), so only a second one to the primary escalates.
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  log(30, { workers: slots.length, port: config.port }, 'primary started');
  if (slots[0]) start(slots[0]);
}

const LEVELS: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

type Log = (level: number, fields: Record<string, unknown>, message: string) => void;

/** The primary's log: pino's JSON lines (as the workers write them), so one reader formats both. */
function primaryLogger(levelName: string): Log {
  const threshold = LEVELS[levelName] ?? 30;
  const host = hostname();
  return (level, fields, message) => {
    if (level < threshold) return;
    const entry = {
      level,
      time: Date.now(),
      pid: process.pid,
      hostname: host,
      role: 'primary',
      ...fields,
      msg: message,
    };
    process.stdout.write(`${JSON.stringify(entry)}\n`);
  };
}

/**
 * In a worker, makes every UDP bind `exclusive`. node:cluster otherwise binds a worker's UDP socket
 * in the primary and shares it with every worker that binds the same address and port, port 0
 * included (each worker's first port-0 socket is then one and the same), so the workers' WebRTC
 * peers would read each other's datagrams. Exclusive, each worker binds its own sockets, as a
 * single process does. Only TCP listening sockets (the HTTP port) are meant to be shared.
 */
export function bindUdpExclusively(): void {
  const bind = Socket.prototype.bind as (this: Socket, ...args: unknown[]) => Socket;
  const exclusiveBind = function (this: Socket, ...args: unknown[]): Socket {
    const [first, ...rest] = args;
    if (first !== null && typeof first === 'object') return bind.call(this, { ...first, exclusive: true }, ...rest);
    // bind(), bind(callback), bind(port, callback?), bind(port, address, callback?)
    const callback = args.find((arg) => typeof arg === 'function');
    const port = typeof first === 'number' ? first : 0;
    const address = typeof args[1] === 'string' ? args[1] : undefined;
    return bind.call(this, { port, address, exclusive: true }, ...(callback ? [callback] : []));
  };
  Socket.prototype.bind = exclusiveBind as typeof Socket.prototype.bind;
}
