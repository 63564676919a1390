import { type ChildProcess, fork } from 'node:child_process';
import { type LoadResult, runLoad } from '../fanout/load-generator.ts';
import { startServerChild } from '../fanout/server-child.ts';
import { type FanoutScenario, SCENARIOS } from '../fanout/suite.ts';
import { nextMessage, stopChild } from '../support/child-process.ts';
import { quantile } from '../support/measure.ts';
import { type CpuPlan, onServerCpus } from './affinity.ts';
import { type CpuReading, cpuPercents, readCpu } from './measure.ts';
import type { Resources } from './resources.ts';
import { type BenchRedis, startRedis } from './services.ts';

/**
 * Part 2 of the cluster suite: the fan-out scenarios (`fanout/suite.ts`) on one server process
 * without Redis (`fanout/ours-server.ts`, exactly the fan-out suite's `ours`) and on two processes
 * of the same server built with `RedisPubSub` (`fanout-node.ts`) sharing one Redis. Each room's
 * clients are split half and half: the load generator (`fanout/load-generator.ts`) runs twice at
 * once, one worker thread each, each with half of every room; on one node both halves connect to
 * the same server, on two nodes each half to its own. Server CPU (every server process, from
 * /proc) and Redis's CPU over the window ÷ the deliveries.
 */
export type Topology = '1 node' | '2 nodes';

export interface ClusterFanoutTiming {
  readonly warmupMs: number;
  readonly measureMs: number;
  readonly drainMs: number;
  readonly bodyBytes: number;
  readonly rounds: number;
}

export interface ClusterFanoutRun {
  readonly scenario: string;
  readonly topology: Topology;
  readonly round: number;
  readonly clients: number;
  readonly offeredPercent: number;
  readonly deliveredPerSec: number;
  readonly lossPercent: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
  /** Every server process together, % of one core. */
  readonly serverCpuPercent: number;
  /** Redis's own CPU (2 nodes only; NaN on 1 node, which uses no Redis). */
  readonly redisCpuPercent: number;
  readonly serverCpuMicros: number;
  readonly redisCpuMicros: number;
  /** Deliveries in the CPU window: deliveries per second × its length. */
  readonly windowDeliveries: number;
  readonly serverMicrosPerDelivery: number;
  /** Servers and Redis together. */
  readonly totalMicrosPerDelivery: number;
  readonly generatorCpuPercent: number;
  readonly otherCpuPercent: number;
  readonly errors: number;
  /** How far apart the two generator halves opened their windows; the CPU window is their overlap. */
  readonly windowSkewMs: number;
}

export interface ClusterFanoutComparison {
  readonly scenario: string;
  /** 2 nodes ÷ 1 node of server CPU per delivery, clean runs pooled. */
  readonly serverRatio: number;
  /** (2 nodes' servers + Redis) ÷ 1 node. */
  readonly totalRatio: number;
  readonly perRound: readonly { readonly server: number; readonly total: number; readonly clean: boolean }[];
  readonly oneNodeMicros: number;
  readonly twoNodeServerMicros: number;
  readonly twoNodeTotalMicros: number;
  readonly oneNodeP99Ms: number;
  readonly twoNodeP99Ms: number;
  readonly pooledRuns: { readonly one: number; readonly two: number };
  readonly reliable: boolean;
}

export const MIN_OFFERED_PERCENT = 99.5;
export const MAX_OTHER_CPU_PERCENT = 20;
const NODE_START_TIMEOUT_MS = 15_000;

export function isClean(run: ClusterFanoutRun): boolean {
  return (
    run.offeredPercent >= MIN_OFFERED_PERCENT && !(run.otherCpuPercent > MAX_OTHER_CPU_PERCENT) && run.errors === 0
  );
}

export async function runFanoutPart(
  timing: ClusterFanoutTiming,
  plan: CpuPlan | undefined,
  resources: Resources,
  log: (line: string) => void,
): Promise<{ runs: ClusterFanoutRun[]; comparisons: ClusterFanoutComparison[] }> {
  const redis = await startRedis(plan);
  const releaseRedis = resources.add('Redis (fan-out)', () => redis.stop());
  try {
    const runs: ClusterFanoutRun[] = [];
    const comparisons: ClusterFanoutComparison[] = [];
    for (const scenario of SCENARIOS) {
      const byTopology: Record<Topology, ClusterFanoutRun[]> = { '1 node': [], '2 nodes': [] };
      for (let round = 1; round <= timing.rounds; round++) {
        const order: Topology[] = round % 2 === 1 ? ['1 node', '2 nodes'] : ['2 nodes', '1 node'];
        for (const topology of order) {
          log(`cluster fan-out: ${scenario.name}, ${topology}, round ${round}/${timing.rounds}…`);
          const run = await runOne(scenario, topology, round, timing, redis, plan, resources);
          byTopology[topology].push(run);
          runs.push(run);
        }
      }
      comparisons.push(compare(scenario.name, byTopology));
    }
    return { runs, comparisons };
  } finally {
    await releaseRedis();
  }
}

async function runOne(
  scenario: FanoutScenario,
  topology: Topology,
  round: number,
  timing: ClusterFanoutTiming,
  redis: BenchRedis,
  plan: CpuPlan | undefined,
  resources: Resources,
): Promise<ClusterFanoutRun> {
  const servers =
    topology === '1 node' ? await startOneNode(plan, resources) : await startTwoNodes(plan, redis, resources);
  try {
    const groups = {
      servers: servers.pids,
      redis: topology === '2 nodes' && redis.pid !== undefined ? [redis.pid] : [],
    };
    const starts: { cpu: CpuReading; generator: NodeJS.CpuUsage }[] = [];
    const ends: { cpu: CpuReading; generator: NodeJS.CpuUsage }[] = [];
    const halves = [Math.ceil(scenario.roomSize / 2), Math.floor(scenario.roomSize / 2)];
    const settled = await Promise.allSettled(
      halves.map((roomSize, i) =>
        runLoad({
          url: servers.urls[i] ?? servers.urls[0] ?? '',
          rooms: scenario.rooms,
          roomSize,
          ratePerClient: scenario.ratePerClient,
          bodyBytes: timing.bodyBytes,
          workers: 1,
          warmupMs: timing.warmupMs,
          measureMs: timing.measureMs,
          drainMs: timing.drainMs,
          onWindowStart: async () => {
            starts.push({ cpu: readCpu(groups), generator: process.cpuUsage() });
          },
          onWindowEnd: async () => {
            ends.push({ cpu: readCpu(groups), generator: process.cpuUsage() });
          },
        }),
      ),
    );
    const loads: LoadResult[] = [];
    for (const result of settled) {
      if (result.status === 'rejected') throw result.reason;
      loads.push(result.value);
    }
    // The CPU window is where both halves were measuring: from the later start to the earlier end.
    const start = starts.reduce((late, s) => (s.cpu.at > late.cpu.at ? s : late));
    const end = ends.reduce((early, e) => (e.cpu.at < early.cpu.at ? e : early));
    const cpu = cpuPercents(start.cpu, end.cpu);
    const windowMs = end.cpu.at - start.cpu.at;
    const seconds = windowMs / 1000;
    const serverCpuMicros = (end.cpu.groups.servers ?? 0) - (start.cpu.groups.servers ?? 0);
    const redisCpuMicros = topology === '2 nodes' ? (end.cpu.groups.redis ?? 0) - (start.cpu.groups.redis ?? 0) : 0;
    const generatorMicros = end.generator.user + end.generator.system - (start.generator.user + start.generator.system);

    const sent = loads.reduce((n, load) => n + load.sent, 0);
    const delivered = loads.reduce((n, load) => n + load.delivered, 0);
    const errors = loads.reduce((n, load) => n + load.errorReplies + load.closedEarly, 0);
    const latencies = new Float64Array(loads.reduce((n, load) => n + load.latencies.length, 0));
    let at = 0;
    for (const load of loads) {
      latencies.set(load.latencies, at);
      at += load.latencies.length;
    }
    latencies.sort();
    const clients = scenario.rooms * scenario.roomSize;
    const deliveredPerSec = delivered / (timing.measureMs / 1000);
    const windowDeliveries = deliveredPerSec * seconds;
    const expected = sent * scenario.roomSize;
    const serverCpuPercent = cpu.servers ?? Number.NaN;
    const redisCpuPercent = topology === '2 nodes' ? (cpu.redis ?? Number.NaN) : Number.NaN;
    const generatorCpuPercent = generatorMicros / (seconds * 1e4);
    const startsAt = starts.map((s) => s.cpu.at);
    return {
      scenario: scenario.name,
      topology,
      round,
      clients,
      offeredPercent: (100 * sent) / (clients * scenario.ratePerClient * (timing.measureMs / 1000)),
      deliveredPerSec,
      lossPercent: expected === 0 ? 0 : (100 * (expected - delivered)) / expected,
      latencyP50Ms: quantile(latencies, 0.5),
      latencyP99Ms: quantile(latencies, 0.99),
      latencyMaxMs: quantile(latencies, 1),
      serverCpuPercent,
      redisCpuPercent,
      serverCpuMicros,
      redisCpuMicros,
      windowDeliveries,
      serverMicrosPerDelivery: serverCpuMicros / windowDeliveries,
      totalMicrosPerDelivery: (serverCpuMicros + redisCpuMicros) / windowDeliveries,
      generatorCpuPercent,
      otherCpuPercent:
        (cpu.machine ?? Number.NaN) -
        serverCpuPercent -
        (topology === '2 nodes' ? (cpu.redis ?? 0) : 0) -
        generatorCpuPercent,
      errors,
      windowSkewMs: Math.max(...startsAt) - Math.min(...startsAt),
    };
  } finally {
    await servers.stop();
  }
}

interface ServerSet {
  readonly urls: readonly string[];
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

async function startOneNode(plan: CpuPlan | undefined, resources: Resources): Promise<ServerSet> {
  const server = await onServerCpus(plan, () => startServerChild('ours'));
  const release = resources.add('fan-out server', () => server.stop());
  return { urls: [server.url, server.url], pids: [server.pid], stop: release };
}

async function startTwoNodes(plan: CpuPlan | undefined, redis: BenchRedis, resources: Resources): Promise<ServerSet> {
  const children: ChildProcess[] = [];
  const releases: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const release of releases.splice(0)) await release();
  };
  try {
    const urls: string[] = [];
    for (const name of ['fanout-1', 'fanout-2']) {
      const child = await onServerCpus(plan, async () =>
        fork(new URL('./fanout-node.ts', import.meta.url), [redis.url, name], {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        }),
      );
      children.push(child);
      releases.push(resources.add(`fan-out node ${name}`, () => stopChild(child, 'disconnect')));
      const ready = await nextMessage(
        child,
        (message: { type: string; url?: string }): message is { type: 'ready'; url: string } =>
          message.type === 'ready',
        NODE_START_TIMEOUT_MS,
        `fan-out node ${name}`,
      );
      urls.push(ready.url);
    }
    return { urls, pids: children.map((child) => child.pid ?? -1), stop };
  } catch (cause) {
    await stop();
    throw cause;
  }
}

function compare(scenario: string, byTopology: Record<Topology, ClusterFanoutRun[]>): ClusterFanoutComparison {
  const one = byTopology['1 node'];
  const two = byTopology['2 nodes'];
  const reliable = one.some(isClean) && two.some(isClean);
  const pool = (runs: readonly ClusterFanoutRun[]) => {
    const used = reliable ? runs.filter(isClean) : runs;
    const deliveries = used.reduce((n, run) => n + run.windowDeliveries, 0);
    const p99s = used.map((run) => run.latencyP99Ms).sort((x, y) => x - y);
    const mid = p99s.length >> 1;
    return {
      server: used.reduce((n, run) => n + run.serverCpuMicros, 0) / deliveries,
      total: used.reduce((n, run) => n + run.serverCpuMicros + run.redisCpuMicros, 0) / deliveries,
      p99:
        p99s.length === 0
          ? Number.NaN
          : p99s.length % 2 === 1
            ? (p99s[mid] as number)
            : ((p99s[mid - 1] as number) + (p99s[mid] as number)) / 2,
      count: used.length,
    };
  };
  const onePooled = pool(one);
  const twoPooled = pool(two);
  return {
    scenario,
    serverRatio: twoPooled.server / onePooled.server,
    totalRatio: twoPooled.total / onePooled.server,
    perRound: one.flatMap((oneRun, i) => {
      const twoRun = two[i];
      if (!twoRun) return [];
      return [
        {
          server: twoRun.serverMicrosPerDelivery / oneRun.serverMicrosPerDelivery,
          total: twoRun.totalMicrosPerDelivery / oneRun.serverMicrosPerDelivery,
          clean: isClean(oneRun) && isClean(twoRun),
        },
      ];
    }),
    oneNodeMicros: onePooled.server,
    twoNodeServerMicros: twoPooled.server,
    twoNodeTotalMicros: twoPooled.total,
    oneNodeP99Ms: onePooled.p99,
    twoNodeP99Ms: twoPooled.p99,
    pooledRuns: { one: onePooled.count, two: twoPooled.count },
    reliable,
  };
}
