import os from 'node:os';
import { SessionTokens } from '../../server/src/auth/session-token.ts';
import { connectionCap } from '../../server/src/http/connection-cap.ts';
import { probe } from '../support/http-probe.ts';
import { machineBusyPercent, readMachineCpu } from '../support/machine-cpu.ts';
import { clock, quantile } from '../support/measure.ts';
import { cpuPercent, type ProcStats, readOpenFilesLimit, readProcStats } from '../support/proc-stats.ts';
import { BENCH_SECRET_KEY, type RealServer, startRealServer } from '../support/real-server.ts';
import { splitRamp, startClientProcesses } from './client-processes.ts';
import type { RampReport } from './client-protocol.ts';
import { type FailureKind, type HoldCounters, IdleSocket } from './idle-socket.ts';
import { MEMORY_PROBE_EXEC_ARGV, type ServerMemory, serverMemory } from './server-memory.ts';

export interface ConnectionsOptions {
  /** Sockets requested in total. */
  readonly target: number;
  /** Connects started per second, all client processes together. */
  readonly ratePerSec: number;
  /** Connects under way at once, all client processes together. */
  readonly maxInFlight: number;
  /** Sockets per client process (each process has its own open-files limit). */
  readonly perProcess: number;
  /** How long the sockets stay idle after the ramp. */
  readonly holdMs: number;
  /** Budget for one connect + join. */
  readonly timeoutMs: number;
  /** Client heartbeat period (phoenix.js: 30 s). */
  readonly heartbeatMs: number;
}

export interface MemoryFigures {
  /** After a full GC in the server: before the ramp, right after it, and at the end of the hold. */
  readonly before: ServerMemory;
  readonly afterRamp: ServerMemory;
  readonly atEnd: ServerMemory;
  /** Peak RSS of the server process (VmHWM). */
  readonly peakRssBytes: number;
  /** (RSS at the end − RSS before) ÷ sockets alive at the end, KiB: both after the GC. */
  readonly rssKbPerConnection: number;
  /**
   * (RSS right after the ramp − RSS before), both read before any forced GC: what the process
   * holds as it runs, young-generation headroom included.
   */
  readonly rssAsRunningKbPerConnection: number;
  /** (heap used at the end − heap used before) ÷ sockets alive at the end, KiB. */
  readonly heapKbPerConnection: number;
  /** The same for V8 external memory (Buffers and other off-heap allocations), KiB. */
  readonly externalKbPerConnection: number;
}

export interface ConnectionsResult {
  readonly options: ConnectionsOptions;
  readonly clientProcesses: number;
  readonly requested: number;
  readonly connected: number;
  readonly failed: number;
  readonly failures: Partial<Record<FailureKind, number>>;
  readonly failureDetails: Partial<Record<FailureKind, string>>;
  /** Joined sockets still open at the end of the hold. */
  readonly alive: number;
  /**
   * The server's own count (`starcatch_sockets` from `GET /metrics`) at the end of the hold; null
   * when it could not be read, as when the server is at its descriptor limit.
   */
  readonly serverReportedSockets: number | null;
  /** Close code → joined sockets the server (or the network) closed during the run. */
  readonly dropped: Partial<Record<string, number>>;
  readonly heartbeatsSent: number;
  readonly heartbeatsAcked: number;
  readonly unexpectedFrames: number;
  readonly rampMs: number;
  /** Attempts ÷ ramp duration. */
  readonly rampRatePerSec: number;
  readonly holdMs: number;
  readonly joinP50Ms: number;
  readonly joinP99Ms: number;
  readonly joinMaxMs: number;
  /** The worst client process's event-loop delay during the ramp, ms. */
  readonly generatorLoopDelayP99Ms: number;
  readonly generatorLoopDelayMaxMs: number;
  /** Join p99 of the attempts started in each quarter of the ramp: does it grow with the sockets held? */
  readonly joinP99ByQuarterMs: readonly number[];
  readonly memory: MemoryFigures;
  readonly fds: {
    /** The server's `Max open files` (soft limit). */
    readonly limit: number;
    /** Open before the first client: stdio, the listener, epoll, the database, the bench's IPC channel… */
    readonly baseline: number;
    readonly afterRamp: number;
    /**
     * The server's connection cap: with MAX_CONNECTIONS unset, the limit less the descriptors it
     * keeps free for the database and WebRTC peers (server/src/http/connection-cap.ts).
     */
    readonly connectionCap: number;
    /** min(limit − baseline, cap): how many sockets the server process holds at most. */
    readonly socketCapacity: number;
  };
  /** Server CPU (% of one core) during the ramp and during the idle hold. */
  readonly serverCpuRampPercent: number;
  readonly serverCpuHoldPercent: number;
  /** All client processes together, % of one core. */
  readonly generatorCpuRampPercent: number;
  readonly generatorCpuHoldPercent: number;
  /**
   * Whole-machine busy CPU during the ramp minus server and generator, % of one core: other
   * processes and kernel work charged to none. High values mean the ramp shared the machine.
   */
  readonly otherCpuRampPercent: number;
  /** After every socket was closed: did the server stay up, and does it accept a new join and an HTTP request? */
  readonly afterwards: {
    readonly serverExited: string | null;
    readonly freshJoinOk: boolean;
    readonly healthOk: boolean;
  };
}

/** How long the ramp may overrun its schedule before the run is abandoned. */
const RAMP_GRACE_MS = 60_000;
const SETTLE_MS = 1000;
const FD_RELEASE_TIMEOUT_MS = 15_000;
const POLL_MS = 100;

/**
 * Connection capacity of the real server: ramps to `target` idle sockets, each joined to its own
 * `user:<id>` channel and heartbeating, holds them, and reports failures, server memory per
 * connection, connect+join latency during the ramp and CPU on both sides.
 */
export async function runConnectionsSuite(
  options: ConnectionsOptions,
  log: (line: string) => void,
): Promise<ConnectionsResult> {
  const server = await startRealServer({ label: 'connections', execArgv: MEMORY_PROBE_EXEC_ARGV });
  try {
    await sleep(SETTLE_MS);
    const memoryBefore = await serverMemory(server);
    const fdLimit = readOpenFilesLimit(server.pid);
    // The cap the server applies to itself, as it has no MAX_CONNECTIONS set here.
    const serverCap = connectionCap(undefined, fdLimit) ?? Number.POSITIVE_INFINITY;
    const baselineFds = requireStats(server.pid).openFds;

    const configs = splitRamp(options, {
      url: server.socketUrl,
      secretKey: BENCH_SECRET_KEY,
      timeoutMs: options.timeoutMs,
      heartbeatMs: options.heartbeatMs,
    });
    const processCount = configs.length;
    const clients = await startClientProcesses(configs);
    try {
      log(
        `connections: ramping to ${options.target} sockets at ${options.ratePerSec}/s over ${processCount} client processes…`,
      );
      const startAt = clock() + 200;
      const serverAtStart = requireStats(server.pid);
      const generatorAtStart = clients.pids.map(readProcStats);
      const machineAtStart = readMachineCpu();
      const expectedRampMs = (1000 * options.target) / options.ratePerSec;
      const ramps = await clients.ramp(startAt, expectedRampMs + options.timeoutMs + RAMP_GRACE_MS);
      const rampEnd = Math.max(...ramps.map((r) => r.finishedAt));
      const rampMs = rampEnd - startAt;
      const serverAfterRamp = requireStats(server.pid);
      const generatorAfterRamp = clients.pids.map(readProcStats);
      const machineAfterRamp = readMachineCpu();
      const memoryAfterRamp = await serverMemory(server);

      log(`connections: holding ${sum(ramps, (r) => r.joinMs.length)} idle sockets for ${options.holdMs / 1000} s…`);
      const holdStart = clock();
      await sleep(options.holdMs);
      const holdMs = clock() - holdStart;
      const serverAtEnd = requireStats(server.pid);
      const generatorAtEnd = clients.pids.map(readProcStats);
      const memoryAtEnd = await serverMemory(server);
      // A server at its descriptor limit cannot accept the scrape either: then this stays null.
      const serverReportedSockets = (await server.metrics())?.get('starcatch_sockets') ?? null;
      const finishes = await clients.finish();
      const afterwards = await checkAfterwards(server, baselineFds, options);

      const joinMs = concatSorted(ramps.map((r) => r.joinMs));
      const connected = joinMs.length;
      const alive = sum(finishes, (f) => f.alive);
      const serverCpuRampPercent = cpuPercent(serverAtStart, serverAfterRamp, rampMs);
      const generatorCpuRampPercent = cpuPercent(total(generatorAtStart), total(generatorAfterRamp), rampMs);
      const machineCpuRampPercent =
        machineAtStart && machineAfterRamp
          ? machineBusyPercent(machineAtStart, machineAfterRamp, os.availableParallelism())
          : Number.NaN;
      const perConnection = (bytesBefore: number, bytesAfter: number): number =>
        alive === 0 ? Number.NaN : (bytesAfter - bytesBefore) / alive / 1024;
      return {
        options,
        clientProcesses: processCount,
        requested: options.target,
        connected,
        failed: options.target - connected,
        failures: mergeCounts(ramps.map((r) => r.failures)),
        failureDetails: Object.assign({}, ...[...ramps].reverse().map((r) => r.failureDetails)),
        alive,
        serverReportedSockets,
        dropped: mergeCounts(finishes.map((f) => f.dropped)),
        heartbeatsSent: sum(finishes, (f) => f.heartbeatsSent),
        heartbeatsAcked: sum(finishes, (f) => f.heartbeatsAcked),
        unexpectedFrames: sum(finishes, (f) => f.unexpectedFrames),
        rampMs,
        rampRatePerSec: options.target / (rampMs / 1000),
        holdMs,
        joinP50Ms: quantile(joinMs, 0.5),
        joinP99Ms: quantile(joinMs, 0.99),
        joinMaxMs: quantile(joinMs, 1),
        joinP99ByQuarterMs: p99ByQuarter(ramps, rampMs),
        generatorLoopDelayP99Ms: Math.max(...ramps.map((r) => r.loopDelayP99Ms)),
        generatorLoopDelayMaxMs: Math.max(...ramps.map((r) => r.loopDelayMaxMs)),
        memory: {
          before: memoryBefore,
          afterRamp: memoryAfterRamp,
          atEnd: memoryAtEnd,
          peakRssBytes: serverAtEnd.peakRssBytes,
          rssKbPerConnection: perConnection(memoryBefore.rss, memoryAtEnd.rss),
          rssAsRunningKbPerConnection: perConnection(memoryBefore.rssBeforeGc, memoryAfterRamp.rssBeforeGc),
          heapKbPerConnection: perConnection(memoryBefore.heapUsed, memoryAtEnd.heapUsed),
          externalKbPerConnection: perConnection(memoryBefore.external, memoryAtEnd.external),
        },
        fds: {
          limit: fdLimit,
          baseline: baselineFds,
          afterRamp: serverAfterRamp.openFds,
          connectionCap: serverCap,
          socketCapacity: Math.min(fdLimit - baselineFds, serverCap),
        },
        serverCpuRampPercent,
        serverCpuHoldPercent: cpuPercent(serverAfterRamp, serverAtEnd, holdMs),
        generatorCpuRampPercent,
        generatorCpuHoldPercent: cpuPercent(total(generatorAfterRamp), total(generatorAtEnd), holdMs),
        otherCpuRampPercent: machineCpuRampPercent - serverCpuRampPercent - generatorCpuRampPercent,
        afterwards,
      };
    } finally {
      await clients.stop();
    }
  } finally {
    await server.stop();
  }
}

/**
 * Once the generator has closed its sockets: the server must still be running and must accept a
 * new socket and an HTTP request (running out of descriptors must not have wedged it).
 */
async function checkAfterwards(
  server: RealServer,
  baselineFds: number,
  options: ConnectionsOptions,
): Promise<ConnectionsResult['afterwards']> {
  const deadline = clock() + FD_RELEASE_TIMEOUT_MS;
  while (clock() < deadline && (readProcStats(server.pid)?.openFds ?? 0) > baselineFds + 10) await sleep(POLL_MS);
  const token = new SessionTokens(BENCH_SECRET_KEY, 3600).sign({ id: 'check', nickname: 'check', color: '#ffffff' });
  const counters: HoldCounters = { heartbeatsSent: 0, heartbeatsAcked: 0, unexpectedFrames: 0, dropped: new Map() };
  const outcome = await IdleSocket.open({
    url: server.socketUrl,
    token,
    topic: 'user:check',
    timeoutMs: options.timeoutMs,
    heartbeatMs: options.heartbeatMs,
    counters,
  });
  if (outcome.ok) outcome.socket.terminate();
  const healthOk = (await probe(`${server.httpUrl}/api/v1/health`)).status === 200;
  return { serverExited: server.exited() ?? null, freshJoinOk: outcome.ok, healthOk };
}

function requireStats(pid: number): ProcStats {
  const stats = readProcStats(pid);
  if (!stats) throw new Error(`cannot read /proc/${pid}: the server has exited, or this is not Linux`);
  return stats;
}

/** The generator processes summed into one reading (undefined if any is unreadable). */
function total(stats: readonly (ProcStats | undefined)[]): ProcStats | undefined {
  if (stats.some((s) => s === undefined)) return undefined;
  const present = stats as readonly ProcStats[];
  return {
    cpuMicros: sum(present, (s) => s.cpuMicros),
    rssBytes: sum(present, (s) => s.rssBytes),
    peakRssBytes: sum(present, (s) => s.peakRssBytes),
    openFds: sum(present, (s) => s.openFds),
  };
}

export function p99ByQuarter(ramps: readonly RampReport[], rampMs: number): number[] {
  const quarters: number[][] = [[], [], [], []];
  for (const { joinMs, joinStartedMs } of ramps) {
    joinMs.forEach((ms, i) => {
      const quarter = Math.min(3, Math.max(0, Math.floor((4 * (joinStartedMs[i] ?? 0)) / rampMs)));
      quarters[quarter]?.push(ms);
    });
  }
  return quarters.map((values) => quantile(Float64Array.from(values).sort(), 0.99));
}

function concatSorted(parts: readonly Float64Array[]): Float64Array {
  const all = new Float64Array(sum(parts, (p) => p.length));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all.sort();
}

function mergeCounts<K extends string>(parts: readonly Partial<Record<K, number>>[]): Partial<Record<K, number>> {
  const merged: Partial<Record<K, number>> = {};
  for (const part of parts) {
    for (const [key, n] of Object.entries(part) as [K, number][]) merged[key] = (merged[key] ?? 0) + n;
  }
  return merged;
}

function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((n, item) => n + pick(item), 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
