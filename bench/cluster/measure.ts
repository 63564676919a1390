import os from 'node:os';
import { type MachineCpu, machineBusyPercent, readMachineCpu } from '../support/machine-cpu.ts';
import type { RealServer } from '../support/real-server.ts';
import { cpuOf, type RedisCounters, redisCounters } from './nodes.ts';
import { type RedisInfo, redisInfo } from './services.ts';

/** The cluster suite's measuring helpers (the general ones are in `support/measure.ts`). */

/** CPU of groups of processes and of the whole machine at one moment. */
export interface CpuReading {
  readonly at: number;
  /** Cumulative CPU, µs, per group: the sum of its processes. */
  readonly groups: Readonly<Record<string, number>>;
  readonly machine: MachineCpu | undefined;
}

export function readCpu(groups: Readonly<Record<string, readonly number[]>>): CpuReading {
  const sums: Record<string, number> = {};
  for (const [name, pids] of Object.entries(groups)) sums[name] = cpuOf(pids).reduce((a, b) => a + b, 0);
  return { at: performance.now(), groups: sums, machine: readMachineCpu() };
}

/** Each group's CPU between two readings as % of one core, and the machine's busy CPU (`machine`). */
export function cpuPercents(before: CpuReading, after: CpuReading): Record<string, number> {
  const ms = after.at - before.at;
  const percents: Record<string, number> = {};
  for (const [name, micros] of Object.entries(after.groups)) {
    percents[name] = (micros - (before.groups[name] ?? Number.NaN)) / (ms * 10);
  }
  percents.machine =
    before.machine && after.machine
      ? // os.cpus(), not availableParallelism(): the latter counts this pinned process's CPUs only.
        machineBusyPercent(before.machine, after.machine, os.cpus().length)
      : Number.NaN;
  return percents;
}

/** Redis traffic of a cluster over a window, every node's counters summed. */
export interface RedisTraffic {
  readonly seconds: number;
  /** PubSub messages the nodes published (out) and received from Redis (in), per second. */
  readonly messagesOutPerSec: number;
  readonly messagesInPerSec: number;
  readonly bytesOutPerSec: number;
  readonly bytesInPerSec: number;
  /** Every command Redis processed (PubSub, leases, the room directory), per second. */
  readonly commandsPerSec: number;
}

export interface RedisReading {
  readonly at: number;
  readonly nodes: readonly (RedisCounters | undefined)[];
  readonly info: RedisInfo | undefined;
}

export async function readRedis(nodes: readonly RealServer[], redisPort: number): Promise<RedisReading> {
  const [info, ...counters] = await Promise.all([redisInfo(redisPort), ...nodes.map(redisCounters)]);
  return { at: performance.now(), nodes: counters, info };
}

export function redisTraffic(before: RedisReading, after: RedisReading): RedisTraffic {
  const seconds = (after.at - before.at) / 1000;
  const delta = (pick: (counters: RedisCounters) => number): number =>
    after.nodes.reduce((total, counters, i) => {
      const from = before.nodes[i];
      return total + (counters && from ? pick(counters) - pick(from) : Number.NaN);
    }, 0) / seconds;
  return {
    seconds,
    messagesOutPerSec: delta((c) => c.messagesOut),
    messagesInPerSec: delta((c) => c.messagesIn),
    bytesOutPerSec: delta((c) => c.bytesOut),
    bytesInPerSec: delta((c) => c.bytesIn),
    commandsPerSec: before.info && after.info ? (after.info.commands - before.info.commands) / seconds : Number.NaN,
  };
}
