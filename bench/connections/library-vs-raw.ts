import os from 'node:os';
import { describePinning, onServerCpus, serverNodeFlags, withLoadSidePinned } from '../cluster/affinity.ts';
import { type ServerChild, startServerChild } from '../fanout/server-child.ts';
import { machineBusyPercent, readMachineCpu } from '../support/machine-cpu.ts';
import { clock, median, quantile } from '../support/measure.ts';
import { cpuPercent, readProcStats } from '../support/proc-stats.ts';
import { BENCH_SECRET_KEY } from '../support/real-server.ts';
import { splitRamp, startClientProcesses } from './client-processes.ts';
import { p99ByQuarter } from './suite.ts';

/**
 * The Phoenix library against a bare `ws` server that speaks just enough Phoenix V2, side by side
 * in one run: both servers of the fan-out suite (`fanout/ours-server.ts`, `raw-phoenix-server.ts`),
 * each in a child process pinned to the server CPUs, take the same ramp of idle sockets, each
 * joining its own `room:<id>`. The raw server parses and answers as little as a Phoenix server can,
 * so the ratios are what the library costs over the floor.
 */
export interface LibraryVsRawOptions {
  /** Sockets per ramp. */
  readonly target: number;
  /** Connects started per second, all client processes together. */
  readonly ratePerSec: number;
  readonly maxInFlight: number;
  readonly perProcess: number;
  readonly timeoutMs: number;
  /** Rounds of raw-then-ours and ours-then-raw, alternating. */
  readonly rounds: number;
}

export type ServerKind = 'raw' | 'ours';

export interface LibraryRun {
  readonly kind: ServerKind;
  readonly connected: number;
  readonly failed: number;
  readonly rampSeconds: number;
  readonly joinP50Ms: number;
  readonly joinP99Ms: number;
  readonly joinMaxMs: number;
  /** Join p99 of the attempts started in each quarter of the ramp: is the tail the warm-up? */
  readonly joinP99ByQuarterMs: readonly number[];
  /** Server CPU during the ramp ÷ sockets joined. */
  readonly cpuMicrosPerJoin: number;
  /** (server RSS one second after the ramp − RSS before it) ÷ sockets joined: memory as running, no GC forced. */
  readonly rssKibPerConnection: number;
  /** Whole-machine busy CPU during the ramp minus server and load generator, % of one core. */
  readonly otherCpuPercent: number;
}

export interface LibraryVsRawResult {
  readonly options: LibraryVsRawOptions;
  readonly pinning: string;
  readonly runs: readonly LibraryRun[];
  /** Per figure, the median over the rounds for each server, and ours ÷ raw. */
  readonly figures: readonly LibraryFigure[];
}

export interface LibraryFigure {
  readonly name: string;
  readonly unit: string;
  readonly ours: number;
  readonly raw: number;
  readonly ratio: number;
  /** The ceiling for the ratio, where it sets one. */
  readonly maxRatio?: number;
}

/** After the ramp, before memory is read: late replies and the young generation settle a little. */
const SETTLE_MS = 1000;
const RAMP_GRACE_MS = 30_000;

export async function runLibraryVsRaw(
  options: LibraryVsRawOptions,
  log: (line: string) => void,
): Promise<LibraryVsRawResult> {
  const runs: LibraryRun[] = [];
  const pinning = await withLoadSidePinned(async (plan) => {
    for (let round = 0; round < options.rounds; round++) {
      const order: ServerKind[] = round % 2 === 0 ? ['raw', 'ours'] : ['ours', 'raw'];
      for (const kind of order) {
        log(
          `connections (library vs raw): round ${round + 1}, ${kind}: ${options.target} sockets at ${options.ratePerSec}/s…`,
        );
        const server = await onServerCpus(plan, () => startServerChild(kind, { nodeFlags: serverNodeFlags(plan) }));
        try {
          runs.push(await rampOnce(kind, server, options));
        } finally {
          await server.stop();
        }
      }
    }
    return describePinning(plan, 'servers', 'load generator');
  });
  const medianOf = (kind: ServerKind, pick: (run: LibraryRun) => number): number =>
    median(runs.filter((run) => run.kind === kind).map(pick));
  const figure = (name: string, unit: string, pick: (run: LibraryRun) => number, maxRatio?: number) => {
    const ours = medianOf('ours', pick);
    const raw = medianOf('raw', pick);
    return { name, unit, ours, raw, ratio: ours / raw, ...(maxRatio !== undefined && { maxRatio }) };
  };
  return {
    options,
    pinning,
    runs,
    figures: [
      figure('connect+join p99', 'ms', (run) => run.joinP99Ms, 1.5),
      figure('connect+join p50', 'ms', (run) => run.joinP50Ms),
      figure('memory per idle joined connection, as running', 'KiB', (run) => run.rssKibPerConnection, 1.3),
      figure('server CPU per connect+join', 'µs', (run) => run.cpuMicrosPerJoin),
    ],
  };
}

async function rampOnce(kind: ServerKind, server: ServerChild, options: LibraryVsRawOptions): Promise<LibraryRun> {
  await sleep(SETTLE_MS);
  const configs = splitRamp(options, {
    url: server.url,
    // Neither server checks it; the sockets send one as phoenix.js would.
    secretKey: BENCH_SECRET_KEY,
    timeoutMs: options.timeoutMs,
    // Idle for the whole ramp: a heartbeat would only add noise to the join latency.
    heartbeatMs: 60_000,
    channel: 'room',
  });
  const clients = await startClientProcesses(configs);
  try {
    const before = readProcStats(server.pid);
    const machineBefore = readMachineCpu();
    const generatorBefore = clients.pids.map(readProcStats);
    const startAt = clock() + 200;
    const expectedMs = (1000 * options.target) / options.ratePerSec;
    const ramps = await clients.ramp(startAt, expectedMs + options.timeoutMs + RAMP_GRACE_MS);
    const rampMs = Math.max(...ramps.map((r) => r.finishedAt)) - startAt;
    const afterRamp = readProcStats(server.pid);
    const machineAfter = readMachineCpu();
    const generatorAfter = clients.pids.map(readProcStats);
    await sleep(SETTLE_MS);
    const settled = readProcStats(server.pid);
    const joinMs = Float64Array.from(ramps.flatMap((r) => Array.from(r.joinMs))).sort();
    const connected = joinMs.length;
    const serverCpu = cpuPercent(before, afterRamp, rampMs);
    const generatorCpu = generatorBefore.reduce(
      (sum, start, i) => sum + cpuPercent(start, generatorAfter[i], rampMs),
      0,
    );
    const machineCpu =
      machineBefore && machineAfter
        ? machineBusyPercent(machineBefore, machineAfter, os.availableParallelism())
        : Number.NaN;
    return {
      kind,
      connected,
      failed: options.target - connected,
      rampSeconds: rampMs / 1000,
      joinP50Ms: quantile(joinMs, 0.5),
      joinP99Ms: quantile(joinMs, 0.99),
      joinMaxMs: quantile(joinMs, 1),
      joinP99ByQuarterMs: p99ByQuarter(ramps, rampMs),
      cpuMicrosPerJoin:
        before && afterRamp && connected > 0 ? (afterRamp.cpuMicros - before.cpuMicros) / connected : Number.NaN,
      rssKibPerConnection:
        before && settled && connected > 0 ? (settled.rssBytes - before.rssBytes) / 1024 / connected : Number.NaN,
      otherCpuPercent: machineCpu - serverCpu - generatorCpu,
    };
  } finally {
    await clients.finish().catch(() => undefined);
    await clients.stop();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
