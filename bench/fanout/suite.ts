import {
  type CpuPlan,
  describePinning,
  onServerCpus,
  serverNodeFlags,
  withLoadSidePinned,
} from '../cluster/affinity.ts';
import { quantile } from '../support/measure.ts';
import type { ServerKind } from './bench-server.ts';
import { runLoad } from './load-generator.ts';
import { type CpuSample, startServerChild } from './server-child.ts';

export interface FanoutScenario {
  readonly name: string;
  readonly rooms: number;
  readonly roomSize: number;
  readonly ratePerClient: number;
}

/**
 * The two load shapes of the performance targets, at their rates: chatty big rooms (1,000 clients, 25,000
 * deliveries/s) and busy small rooms (200 clients, 32,000 deliveries/s).
 */
export const SCENARIOS: readonly FanoutScenario[] = [
  { name: 'rooms of 25 @ 1 msg/s', rooms: 40, roomSize: 25, ratePerClient: 1 },
  { name: 'rooms of 8 @ 20 msg/s', rooms: 25, roomSize: 8, ratePerClient: 20 },
];

export interface FanoutTiming {
  readonly warmupMs: number;
  readonly measureMs: number;
  readonly drainMs: number;
  readonly workers: number;
  /** Chat text length per push. */
  readonly bodyBytes: number;
  /** When set, each server child writes a CPU profile into this folder. */
  readonly profileDir?: string;
}

export interface FanoutRun {
  readonly scenario: string;
  readonly server: ServerKind;
  readonly round: number;
  readonly clients: number;
  readonly sent: number;
  /** Pushes sent ÷ pushes scheduled in the window: below ~99 % the generator fell behind. */
  readonly offeredPercent: number;
  readonly expected: number;
  readonly delivered: number;
  readonly deliveredPerSec: number;
  readonly lossPercent: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
  readonly serverCpuMicros: number;
  /** Server CPU over the window divided by the deliveries of the window. */
  readonly serverCpuMicrosPerDelivery: number;
  /** Server CPU as % of one core. */
  readonly serverCpuPercent: number;
  /** Load generator (whole process, all threads) CPU as % of one core. */
  readonly generatorCpuPercent: number;
  /**
   * Machine CPU not used by the server or the generator (other processes, steal, kernel work
   * charged to no process), % of one core. High values mean the run shared the machine.
   */
  readonly otherCpuPercent: number;
  readonly errorReplies: number;
  readonly closedEarly: number;
  readonly windowMs: number;
}

export interface FanoutComparison {
  readonly scenario: string;
  /** ours ÷ raw of CPU µs per delivered message, all rounds pooled (target ≤ 1.05, see bench/README.md). */
  readonly cpuPerDeliveryRatio: number;
  /** The same ratio for each round on its own, to show how much it moves between runs. */
  readonly cpuPerDeliveryRatioPerRound: readonly { readonly ratio: number; readonly clean: boolean }[];
  readonly deliveredPerSecRatio: number;
  readonly p50Ratio: number;
  /** Ratios of the median run's p50 and p99 latency. */
  readonly p99Ratio: number;
  /** How many runs of each server went into the pooled figures (stalled runs are left out). */
  readonly pooledRuns: Readonly<Record<ServerKind, number>>;
  /** False when a server had no clean run: every run was pooled and the ratios are not to be trusted. */
  readonly reliable: boolean;
}

async function runOne(
  scenario: FanoutScenario,
  kind: ServerKind,
  timing: FanoutTiming,
  round: number,
  plan: CpuPlan | undefined,
): Promise<FanoutRun> {
  const server = await onServerCpus(plan, () =>
    startServerChild(kind, { profileDir: timing.profileDir, nodeFlags: serverNodeFlags(plan) }),
  );
  try {
    let before: CpuSample | undefined;
    let after: CpuSample | undefined;
    const load = await runLoad({
      url: server.url,
      rooms: scenario.rooms,
      roomSize: scenario.roomSize,
      ratePerClient: scenario.ratePerClient,
      bodyBytes: timing.bodyBytes,
      workers: timing.workers,
      warmupMs: timing.warmupMs,
      measureMs: timing.measureMs,
      drainMs: timing.drainMs,
      onWindowStart: async () => {
        before = await server.cpu();
      },
      onWindowEnd: async () => {
        after = await server.cpu();
      },
    });
    if (!before || !after) throw new Error('server CPU was not sampled');
    const serverCpuMicros = after.user + after.system - (before.user + before.system);
    const windowSec = load.windowMs / 1000;
    return {
      scenario: scenario.name,
      server: kind,
      round,
      clients: scenario.rooms * scenario.roomSize,
      sent: load.sent,
      offeredPercent:
        (100 * load.sent) / (scenario.rooms * scenario.roomSize * scenario.ratePerClient * (timing.measureMs / 1000)),
      expected: load.expected,
      delivered: load.delivered,
      deliveredPerSec: load.delivered / (timing.measureMs / 1000),
      lossPercent: load.expected === 0 ? 0 : (100 * (load.expected - load.delivered)) / load.expected,
      latencyP50Ms: quantile(load.latencies, 0.5),
      latencyP99Ms: quantile(load.latencies, 0.99),
      latencyMaxMs: quantile(load.latencies, 1),
      serverCpuMicros,
      serverCpuMicrosPerDelivery: load.delivered === 0 ? Number.NaN : serverCpuMicros / load.delivered,
      serverCpuPercent: serverCpuMicros / (windowSec * 1e4),
      generatorCpuPercent: load.generatorCpuMicros / (windowSec * 1e4),
      otherCpuPercent:
        load.machineCpuPercent - serverCpuMicros / (windowSec * 1e4) - load.generatorCpuMicros / (windowSec * 1e4),
      errorReplies: load.errorReplies,
      closedEarly: load.closedEarly,
      windowMs: load.windowMs,
    };
  } finally {
    await server.stop();
  }
}

/**
 * Every scenario against the raw baseline and against ours, one server process at a time, for
 * `rounds` rounds. The order flips every round (raw, ours, ours, raw, …) so a drift in the
 * machine's speed does not always favour the same server.
 */
export async function runFanoutSuite(
  timing: FanoutTiming,
  rounds: number,
  log: (line: string) => void,
): Promise<{ runs: FanoutRun[]; comparisons: FanoutComparison[]; pinning: string }> {
  // The server on one half of the CPUs, this process and its generator threads on the other, so
  // neither takes the other's core.
  return withLoadSidePinned(async (plan) => ({
    ...(await runScenarios(timing, rounds, plan, log)),
    pinning: describePinning(plan, 'server', 'load generator'),
  }));
}

async function runScenarios(
  timing: FanoutTiming,
  rounds: number,
  plan: CpuPlan | undefined,
  log: (line: string) => void,
): Promise<{ runs: FanoutRun[]; comparisons: FanoutComparison[] }> {
  const runs: FanoutRun[] = [];
  const comparisons: FanoutComparison[] = [];
  for (const scenario of SCENARIOS) {
    const byKind: Record<ServerKind, FanoutRun[]> = { raw: [], ours: [] };
    const roundRatios: { ratio: number; clean: boolean }[] = [];
    for (let round = 0; round < rounds; round++) {
      const order: readonly ServerKind[] = round % 2 === 0 ? ['raw', 'ours'] : ['ours', 'raw'];
      for (const kind of order) {
        log(`fan-out: ${scenario.name}, ${kind} server, round ${round + 1}/${rounds}…`);
        const run = await runOne(scenario, kind, timing, round + 1, plan);
        byKind[kind].push(run);
        runs.push(run);
      }
      const raw = byKind.raw[round];
      const ours = byKind.ours[round];
      if (raw && ours) {
        roundRatios.push({
          ratio: ours.serverCpuMicrosPerDelivery / raw.serverCpuMicrosPerDelivery,
          clean: isClean(raw) && isClean(ours),
        });
      }
    }
    // Compare clean with clean; when either server has no clean run, both pool everything and
    // the comparison is flagged as unreliable.
    const reliable = byKind.raw.some(isClean) && byKind.ours.some(isClean);
    const raw = pool(byKind.raw, reliable);
    const ours = pool(byKind.ours, reliable);
    comparisons.push({
      scenario: scenario.name,
      cpuPerDeliveryRatio: ours.cpuPerDelivery / raw.cpuPerDelivery,
      cpuPerDeliveryRatioPerRound: roundRatios,
      deliveredPerSecRatio: ours.deliveredPerSec / raw.deliveredPerSec,
      p50Ratio: ours.p50 / raw.p50,
      p99Ratio: ours.p99 / raw.p99,
      pooledRuns: { raw: raw.pooled, ours: ours.pooled },
      reliable,
    });
  }
  return { runs, comparisons };
}

/** A run below this share of its scheduled pushes had the generator stalled, and is left out of the pooled ratio. */
export const MIN_OFFERED_PERCENT = 99.5;

/** A run during which other work took more than this much CPU (% of one core) shared the machine. */
export const MAX_OTHER_CPU_PERCENT = 20;

/**
 * Whether a run kept to its schedule, had the machine to itself and saw no errors, so that its
 * figures are worth pooling. (Where /proc/stat is missing, the machine check is skipped.)
 */
export function isClean(run: FanoutRun): boolean {
  return (
    run.offeredPercent >= MIN_OFFERED_PERCENT &&
    !(run.otherCpuPercent > MAX_OTHER_CPU_PERCENT) &&
    run.errorReplies === 0 &&
    run.closedEarly === 0
  );
}

/**
 * One server's rounds of a scenario folded together: CPU and deliveries summed, latencies of the
 * median run. With `cleanOnly`, stalled runs are left out.
 */
function pool(
  all: readonly FanoutRun[],
  cleanOnly: boolean,
): {
  cpuPerDelivery: number;
  deliveredPerSec: number;
  p50: number;
  p99: number;
  pooled: number;
} {
  const runs = cleanOnly ? all.filter(isClean) : all;
  const cpu = runs.reduce((total, run) => total + run.serverCpuMicros, 0);
  const delivered = runs.reduce((total, run) => total + run.delivered, 0);
  const median = (pick: (run: FanoutRun) => number): number => {
    const values = runs.map(pick).sort((a, b) => a - b);
    if (values.length === 0) return Number.NaN;
    const mid = values.length >> 1;
    return values.length % 2 === 1
      ? (values[mid] as number)
      : ((values[mid - 1] as number) + (values[mid] as number)) / 2;
  };
  return {
    cpuPerDelivery: cpu / delivered,
    deliveredPerSec: median((run) => run.deliveredPerSec),
    p50: median((run) => run.latencyP50Ms),
    p99: median((run) => run.latencyP99Ms),
    pooled: runs.length,
  };
}
