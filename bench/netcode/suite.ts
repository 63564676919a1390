import { availableParallelism } from 'node:os';
import {
  DEFAULT_GAME_RATES,
  describeNetworkConditions,
  type NetworkConditions,
  type PlayerTransport,
} from '@starcatch/shared';
import { INPUT_REDUNDANCY } from '../../client/src/game/game-netcode.ts';
import { machineBusyPercent, readMachineCpu } from '../support/machine-cpu.ts';
import { sleep } from '../support/measure.ts';
import { cpuPercent, readProcStats } from '../support/proc-stats.ts';
import { type RealServer, startRealServer } from '../support/real-server.ts';
import { NetcodeBot } from './netcode-bot.ts';
import { measureRateCosts, type RateCost, type RateCostOptions } from './rate-costs.ts';

/**
 * The table's rows: the conditions, each with a jitter in proportion (round trip ± jitter,
 * loss per direction). The same presets as the F3 panel.
 */
export const CONDITIONS: readonly NetworkConditions[] = [
  { lagMs: 0, jitterMs: 0, lossPercent: 0 },
  { lagMs: 50, jitterMs: 10, lossPercent: 1 },
  { lagMs: 150, jitterMs: 20, lossPercent: 5 },
  { lagMs: 300, jitterMs: 40, lossPercent: 10 },
];
export const TRANSPORTS: readonly PlayerTransport[] = ['webrtc', 'websocket'];
/** The table's column groups besides the transport: SNAPSHOT_HZ at the default GAME_TICK_HZ. */
export const SNAPSHOT_RATES: readonly number[] = [20, 30];
/**
 * Input redundancy switched off, for comparison: the DataChannel at 20 Hz under each lossy
 * condition, with plain 11-byte inputs (the main table's cells repeat 3 earlier inputs in each).
 */
export const WITHOUT_REDUNDANCY: readonly NetworkConditions[] = CONDITIONS.filter((row) => row.lossPercent > 0);

export interface NetcodeOptions {
  readonly warmupMs: number;
  readonly windowMs: number;
  readonly openTimeoutMs: number;
  /** The CPU and bytes table of the rate pairs. */
  readonly rateCosts: RateCostOptions;
}

/** One cell: one condition, one transport, one snapshot rate; two bots watching each other. */
export interface NetcodeCell {
  readonly conditions: NetworkConditions;
  readonly transport: PlayerTransport;
  readonly snapshotHz: number;
  /** Earlier inputs repeated in each INPUT message (the client's INPUT_REDUNDANCY unless switched off). */
  readonly inputRedundancy: number;
  /** Input → acknowledging snapshot, p50 over both bots' inputs of the window, ms. */
  readonly inputAckP50Ms: number;
  /** The network round trip (ping on `events`, Phoenix heartbeat on the WebSocket), median, ms. */
  readonly networkRttMs: number;
  /** Key press in one bot → the other drawing that ship move, median and max, ms. */
  readonly viewDelayP50Ms: number;
  readonly viewDelayMaxMs: number;
  readonly viewDelaySamples: number;
  /** The adaptive interpolation delay at the end of the window, mean of the bots, ms. */
  readonly interpolationDelayMs: number;
  /** Frames drawn past the newest snapshot (dry buffer), per minute, summed over the bots. */
  readonly dryRunsPerMinute: number;
  /** Prediction corrections: how many per minute, their p95 and max size, units. */
  readonly correctionsPerMinute: number;
  readonly correctionP95Units: number;
  readonly correctionMaxUnits: number;
  /** Remote ships as drawn: the largest jump beyond flying speed, units, and the p95 jerk, units/s³. */
  readonly remoteJumpMaxUnits: number;
  readonly remoteJerkP95: number;
  /** Snapshot ticks that never arrived, % of those expected. */
  readonly snapshotsMissingPercent: number;
  /** Bytes per second per player, down and up (WebSocket: Phoenix frames; WebRTC: DataChannel messages). */
  readonly bytesInPerSec: number;
  readonly bytesOutPerSec: number;
  /** Server CPU over the window, % of one core (one room of two players). */
  readonly serverCpuPercent: number;
  /** Whole-machine busy CPU minus server and bench, % of one core: a high value means a shared machine. */
  readonly otherCpuPercent: number;
  readonly error?: string;
}

export interface NetcodeResult {
  readonly cells: readonly NetcodeCell[];
  /** The same measurement with input redundancy off (see WITHOUT_REDUNDANCY). */
  readonly withoutRedundancy: readonly NetcodeCell[];
  readonly rateCosts: readonly RateCost[];
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/**
 * `pnpm bench --only netcode`: for each snapshot rate a production server (GAME_TICK_HZ 30), and
 * for each condition and transport a fresh room of two headless bots that run the client's own
 * netcode (`client/src/game/game-netcode.ts`) through the client's simulated bad network. Then the
 * CPU and bytes of the tick and snapshot rates, from an 8-player room simulated in this process.
 */
export async function runNetcodeSuite(options: NetcodeOptions, log: (line: string) => void): Promise<NetcodeResult> {
  const cells: NetcodeCell[] = [];
  const withoutRedundancy: NetcodeCell[] = [];
  for (const snapshotHz of SNAPSHOT_RATES) {
    const server = await startRealServer({
      label: `netcode-${snapshotHz}`,
      env: { GAME_TICK_HZ: String(DEFAULT_GAME_RATES.tickHz), SNAPSHOT_HZ: String(snapshotHz) },
    });
    try {
      for (const conditions of CONDITIONS) {
        for (const transport of TRANSPORTS) {
          log(`netcode: ${snapshotHz} Hz snapshots, ${transport}, ${describeNetworkConditions(conditions)}…`);
          cells.push(await measureCell(server, conditions, transport, snapshotHz, options, cells.length));
        }
      }
      if (snapshotHz !== DEFAULT_GAME_RATES.snapshotHz) continue;
      for (const conditions of WITHOUT_REDUNDANCY) {
        log(`netcode: input redundancy off, webrtc, ${describeNetworkConditions(conditions)}…`);
        const index = cells.length + withoutRedundancy.length;
        withoutRedundancy.push(await measureCell(server, conditions, 'webrtc', snapshotHz, options, index, 0));
      }
    } finally {
      await server.stop();
    }
  }
  log('netcode: CPU and bytes of the tick and snapshot rates…');
  const rateCosts = await measureRateCosts(options.rateCosts, log);
  return { cells, withoutRedundancy, rateCosts };
}

async function measureCell(
  server: RealServer,
  conditions: NetworkConditions,
  transport: PlayerTransport,
  snapshotHz: number,
  options: NetcodeOptions,
  index: number,
  inputRedundancy = INPUT_REDUNDANCY,
): Promise<NetcodeCell> {
  const urls = { http: server.httpUrl, socket: server.socketEndpoint };
  const bots: NetcodeBot[] = [];
  try {
    for (const name of ['a', 'b']) {
      bots.push(
        await NetcodeBot.connect(
          urls,
          `nc${index}${name}`,
          transport,
          conditions,
          index * 2 + bots.length + 1,
          options.openTimeoutMs,
        ),
      );
    }
    const [a, b] = bots as [NetcodeBot, NetcodeBot];
    const roomId = await a.createRoom(`netcode ${index}`, 2);
    await a.play(roomId, inputRedundancy);
    await b.play(roomId, inputRedundancy);
    // Each bot times the other's starts.
    a.onPress((at) => b.watchPress(a.slot ?? -1, at));
    b.onPress((at) => a.watchPress(b.slot ?? -1, at));
    await sleep(options.warmupMs);
    for (const bot of bots) bot.resetStats();
    const bytesBefore = bots.map((bot) => ({ in: bot.link?.bytesIn ?? 0, out: bot.link?.bytesOut ?? 0 }));
    const cpuBefore = readProcStats(server.pid);
    const machineBefore = readMachineCpu();
    const ownBefore = process.cpuUsage();
    const startedAt = performance.now();
    await sleep(options.windowMs);
    const elapsedMs = performance.now() - startedAt;
    const cpuAfter = readProcStats(server.pid);
    const machineAfter = readMachineCpu();
    const own = process.cpuUsage(ownBefore);
    const serverCpuPercent = cpuPercent(cpuBefore, cpuAfter, elapsedMs);
    const machinePercent =
      machineBefore && machineAfter
        ? machineBusyPercent(machineBefore, machineAfter, availableParallelism())
        : Number.NaN;
    const stats = bots.map((bot) => bot.stats());
    const minutes = elapsedMs / 60_000;
    const seconds = elapsedMs / 1000;
    const sum = (pick: (bot: NetcodeBot, index: number) => number): number =>
      bots.reduce((total, bot, i) => total + pick(bot, i), 0);
    const statOf = (i: number) => {
      const found = stats[i];
      if (!found) throw new Error('a bot has no netcode figures');
      return found;
    };
    const snapshots = stats.map((_, i) => statOf(i).snapshots);
    const missing = snapshots.reduce((total, s) => total + s.missing, 0);
    const received = snapshots.reduce((total, s) => total + s.received, 0);
    return {
      conditions,
      transport,
      snapshotHz,
      inputRedundancy,
      inputAckP50Ms: median(bots.flatMap((bot) => bot.link?.ackTimes ?? [])),
      networkRttMs: median(bots.flatMap((bot) => bot.link?.roundTrips ?? [])),
      viewDelayP50Ms: median(bots.flatMap((bot) => bot.viewDelays)),
      viewDelayMaxMs: percentile(
        bots.flatMap((bot) => bot.viewDelays),
        100,
      ),
      viewDelaySamples: sum((bot) => bot.viewDelays.length),
      interpolationDelayMs: sum((_, i) => statOf(i).interpolation.delayMs) / bots.length,
      dryRunsPerMinute: sum((_, i) => statOf(i).interpolation.dryRuns) / minutes,
      correctionsPerMinute: sum((_, i) => statOf(i).corrections.count) / minutes,
      correctionP95Units: Math.max(...stats.map((_, i) => statOf(i).corrections.p95Units)),
      correctionMaxUnits: Math.max(...stats.map((_, i) => statOf(i).corrections.maxUnits)),
      remoteJumpMaxUnits: Math.max(...stats.map((_, i) => statOf(i).remote.maxJumpUnits)),
      remoteJerkP95: Math.max(...stats.map((_, i) => statOf(i).remote.jerkP95)),
      snapshotsMissingPercent: (100 * missing) / Math.max(1, missing + received),
      bytesInPerSec: sum((bot, i) => (bot.link?.bytesIn ?? 0) - (bytesBefore[i]?.in ?? 0)) / bots.length / seconds,
      bytesOutPerSec: sum((bot, i) => (bot.link?.bytesOut ?? 0) - (bytesBefore[i]?.out ?? 0)) / bots.length / seconds,
      serverCpuPercent,
      otherCpuPercent: machinePercent - serverCpuPercent - (own.user + own.system) / (elapsedMs * 10),
    };
  } catch (cause) {
    const error = cause instanceof Error ? cause.message : String(cause);
    return emptyCell(conditions, transport, snapshotHz, inputRedundancy, error);
  } finally {
    for (const bot of bots) bot.close();
  }
}

function emptyCell(
  conditions: NetworkConditions,
  transport: PlayerTransport,
  snapshotHz: number,
  inputRedundancy: number,
  error: string,
): NetcodeCell {
  const nan = Number.NaN;
  return {
    conditions,
    transport,
    snapshotHz,
    inputRedundancy,
    inputAckP50Ms: nan,
    networkRttMs: nan,
    viewDelayP50Ms: nan,
    viewDelayMaxMs: nan,
    viewDelaySamples: 0,
    interpolationDelayMs: nan,
    dryRunsPerMinute: nan,
    correctionsPerMinute: nan,
    correctionP95Units: nan,
    correctionMaxUnits: nan,
    remoteJumpMaxUnits: nan,
    remoteJerkP95: nan,
    snapshotsMissingPercent: nan,
    bytesInPerSec: nan,
    bytesOutPerSec: nan,
    serverCpuPercent: nan,
    otherCpuPercent: nan,
    error,
  };
}
