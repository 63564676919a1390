import os from 'node:os';
import { SNAPSHOT_RATE, Topic } from '@starcatch/shared';
import { signInGuest } from '../../server/test/support/guest-sign-in.ts';
import {
  type CpuPlan,
  describePinning,
  onServerCpus,
  serverNodeFlags,
  withLoadSidePinned,
} from '../cluster/affinity.ts';
import { createRoom } from '../support/game-bot.ts';
import { machineBusyPercent, readMachineCpu } from '../support/machine-cpu.ts';
import { quantile, sleep, sortedOf } from '../support/measure.ts';
import { PhoenixWire } from '../support/phoenix-wire.ts';
import { readProcStats, receiveBufferSizes, udpReceiveBufferErrors } from '../support/proc-stats.ts';
import { type RealServer, startRealServer } from '../support/real-server.ts';
import { type BotPlayer, startWebRtcFleet, type WebRtcFleet, type WindowReport } from './bot-protocol.ts';

export const ROOM_SIZE = 8;

/** The ramp's pass criteria (see bench/README.md for why the latency one is relative). */
export const CRITERIA = {
  /** p99 input → ack may exceed the floor measured in the same run's first step by this much. */
  p99OverFloorMs: 50,
  /** Server CPU, % of one core, at or above which the server counts as saturated. */
  maxServerCpuPercent: 95,
  /** Snapshots received ÷ expected. */
  minDeliveryPercent: 99,
} as const;

/**
 * Other work on the machine above this (% of one core) makes a window contended: a contended
 * window that fails is measured again, at most MAX_REMEASURES times, before the ramp stops.
 */
export const CONTENDED_OTHER_CPU_PERCENT = 30;
const MAX_REMEASURES = 2;
const REMEASURE_PAUSE_MS = 1000;

export interface WebRtcOptions {
  /** Player counts of the ramp's steps, ascending multiples of ROOM_SIZE. */
  readonly steps: readonly number[];
  readonly warmupMs: number;
  readonly windowMs: number;
  /** After the window, for the acks of its last inputs. */
  readonly drainMs: number;
  readonly botProcesses: number;
  /** Negotiations in flight at once, paced as a lobby would (docs/webrtc.md §6). */
  readonly inFlight: number;
  readonly openTimeoutMs: number;
  /** When set, the server runs under --cpu-prof and writes its profile here on exit. */
  readonly profileDir?: string;
}

export interface WebRtcStep {
  readonly players: number;
  readonly rooms: number;
  /** Peers added by this step, how long their connects took (wall), and the rate. */
  readonly newPeers: number;
  readonly connectSeconds: number;
  readonly peersPerSecond: number;
  /**
   * Server CPU while this step's peers connected, less what the players already there cost at the
   * previous step's rate, ÷ peers connected: the server's own cost of a connect, ms.
   */
  readonly serverCpuMsPerConnect: number;
  readonly connectFailed: number;
  readonly connectErrors: readonly string[];
  /** Sign-in to both channels open, per bot, ms. */
  readonly setupP50Ms: number;
  readonly setupP99Ms: number;
  /** Server CPU over the window, % of one core. */
  readonly serverCpuPercent: number;
  /** Messages the bots sent (server in) and received (server out) per second. */
  readonly messagesInPerSec: number;
  readonly messagesOutPerSec: number;
  /** Server CPU ÷ DataChannel messages in + out over the window. */
  readonly cpuMicrosPerMessage: number;
  /** The server's own count of DataChannel messages received per second (/metrics), when it has one. */
  readonly serverCountedInPerSec: number | undefined;
  /** The slowest room tick so far (/metrics), ms, when the server reports it. */
  readonly serverMaxTickMs: number | undefined;
  /**
   * The server's event-loop delay over the window (prom-client's monitor, which restarts at every
   * scrape), and its GC time as % of the window; from /metrics, when the server has them.
   */
  readonly serverLoopLagP99Ms: number | undefined;
  readonly serverLoopLagMaxMs: number | undefined;
  readonly serverGcPercent: number | undefined;
  readonly serverRssMiB: number;
  /** (RSS − RSS before any peer) ÷ players. */
  readonly rssPerPeerKiB: number;
  /** ΔRSS ÷ Δplayers against the previous step. */
  readonly marginalRssPerPeerKiB: number;
  /** (JS heap used − heap before any peer) ÷ players, from /metrics when the server has it. */
  readonly heapPerPeerKiB: number | undefined;
  readonly rttP50Ms: number;
  readonly rttP99Ms: number;
  readonly rttMaxMs: number;
  /** p99 minus the floor p99 (the first step's). */
  readonly p99OverFloorMs: number;
  /** Window inputs acknowledged by the end of the drain. */
  readonly ackedPercent: number;
  /** Snapshots received ÷ (players × 20/s × window). */
  readonly deliveryPercent: number;
  /**
   * Why snapshots were missing: server ticks per second as the bots saw them advance (30 when the
   * rooms keep time; fewer when a starved server skipped ticks), and the share of snapshot ticks
   * that never reached their bot (lost on the way, or skipped by the server's backlog guard).
   */
  readonly serverTickHz: number;
  readonly missedPercent: number;
  /**
   * Inputs a bot had sent that the snapshot arriving did not yet acknowledge, on average. About 1
   * when inputs wait only for their tick (one input per 33 ms, ~30–40 ms to an ack); each further
   * input is another 33 ms that inputs spend queued on the way or in the room's input queue.
   */
  readonly unackedAtSnapshot: number;
  /** All bot processes together, % of one core. */
  readonly botCpuPercent: number;
  /** Worst bot process's event-loop delay p99 over the window. */
  readonly botLoopDelayP99Ms: number;
  /**
   * Busy CPU of the whole machine minus server and bots, % of one core: other processes and
   * kernel work charged to none (loopback softirq). High values mean the run shared the machine.
   */
  readonly otherCpuPercent: number;
  /** Machine-wide UDP receive-buffer drops during the window. */
  readonly udpRcvbufErrors: number;
  readonly lostPlayers: number;
  /** Windows of this step thrown away because they failed while the machine was shared. */
  readonly remeasured: number;
  /** Criteria this step missed; empty when it passed. */
  readonly failures: readonly string[];
}

export interface WebRtcResult {
  /** Where the server and the bots ran (taskset), as printed with the tables. */
  readonly pinning: string;
  /** Negotiations kept under way at once while connecting. */
  readonly inFlight: number;
  readonly steps: WebRtcStep[];
  /** The first step's p50 / p99: the structural floor of 30 Hz ticks with 20 Hz snapshots. */
  readonly floorP50Ms: number;
  readonly floorP99Ms: number;
  /** Players of the last step that passed every criterion (0: none did). */
  readonly maxPlayers: number;
  /** Why the ramp stopped: the failing step's failures, or that it reached its last step. */
  readonly stoppedBy: string;
  /** Every peer connected over the run ÷ the wall time of their connects. */
  readonly peersPerSecond: number;
  readonly baselineRssMiB: number;
  readonly baselineHeapMiB: number | undefined;
  readonly udpBuffers: { readonly defaultBytes: number; readonly maxBytes: number };
  readonly serverLogLines: number;
  readonly serverLogFirst: readonly string[];
  readonly metricsAvailable: boolean;
}

const cpuMicrosOf = (pid: number): number => readProcStats(pid)?.cpuMicros ?? Number.NaN;
const rssBytesOf = (pid: number): number => readProcStats(pid)?.rssBytes ?? Number.NaN;
const sumCpu = (pids: readonly number[]): number => pids.reduce((total, pid) => total + cpuMicrosOf(pid), 0);

/**
 * The WebRTC game-load ramp: the production server in a child process, werift bot players in
 * others; rooms of 8 added step by step until a step fails a criterion or the ramp ends.
 */
export async function runWebRtcSuite(options: WebRtcOptions, log: (line: string) => void): Promise<WebRtcResult> {
  // The server on one half of the CPUs, the bot processes (forked from this process) on the other.
  return withLoadSidePinned(async (plan) => ({
    ...(await runRamp(options, plan, log)),
    pinning: describePinning(plan, 'server', 'bots'),
  }));
}

async function runRamp(
  options: WebRtcOptions,
  plan: CpuPlan | undefined,
  log: (line: string) => void,
): Promise<Omit<WebRtcResult, 'pinning'>> {
  const server = await onServerCpus(plan, () =>
    startRealServer({
      label: 'webrtc',
      // Rooms stay open between their creation and their bots' joins, however long a step takes.
      env: { EMPTY_ROOM_TIMEOUT_MS: '600000' },
      execArgv: [
        ...serverNodeFlags(plan),
        ...(options.profileDir
          ? [
              '--cpu-prof',
              `--cpu-prof-dir=${options.profileDir}`,
              `--cpu-prof-name=webrtc-server-${Date.now()}.cpuprofile`,
            ]
          : []),
      ],
    }),
  );
  let fleet: WebRtcFleet | undefined;
  let lobby: PhoenixWire | undefined;
  try {
    fleet = await startWebRtcFleet(options.botProcesses, server.httpUrl, server.socketEndpoint);
    const host = await signInGuest(server.httpUrl, 'BenchHost');
    lobby = await PhoenixWire.open(server.socketEndpoint, host.token);
    await lobby.join(Topic.lobby);
    const metricsAvailable = (await server.metrics()) !== undefined;
    await sleep(500);
    const baselineRss = rssBytesOf(server.pid);
    const baselineHeap = heapUsed(await server.metrics());

    const steps: WebRtcStep[] = [];
    let rooms = 0;
    let connectedTotal = 0;
    let connectSecondsTotal = 0;
    let stoppedBy = `reached the last step (${options.steps.at(-1)} players)`;
    for (const target of options.steps) {
      const newRooms = Math.max(0, Math.ceil(target / ROOM_SIZE) - rooms);
      const players: BotPlayer[] = [];
      for (let i = 0; i < newRooms; i++) {
        const roomId = await createRoom(lobby, `Bench ${rooms + i + 1}`, ROOM_SIZE);
        for (let member = 0; member < ROOM_SIZE; member++) players.push({ roomId, nickname: 'Bot' });
      }
      rooms += newRooms;
      log(`webrtc: ${rooms * ROOM_SIZE} players: connecting ${players.length}…`);
      const connectStart = performance.now();
      const cpuAtConnectStart = cpuMicrosOf(server.pid);
      const connected = await fleet.connect(players, options.inFlight, options.openTimeoutMs);
      const connectSeconds = (performance.now() - connectStart) / 1000;
      const playing = (steps.at(-1)?.serverCpuPercent ?? 0) / 100;
      const connectCpuMs = (cpuMicrosOf(server.pid) - cpuAtConnectStart) / 1000 - playing * connectSeconds * 1000;
      connectedTotal += connected.connected;
      connectSecondsTotal += connectSeconds;

      await sleep(options.warmupMs);
      const context: StepContext = {
        rooms,
        connected,
        connectSeconds,
        connectCpuMs,
        baselineRss,
        baselineHeap,
        previous: steps.at(-1),
        floorP99: steps[0]?.rttP99Ms,
        metricsAvailable,
      };
      let step = await measureStep(server, fleet, options, context, 0);
      while (
        step.failures.length > 0 &&
        step.otherCpuPercent > CONTENDED_OTHER_CPU_PERCENT &&
        step.remeasured < MAX_REMEASURES &&
        step.lostPlayers === 0 &&
        step.connectFailed === 0
      ) {
        log(
          `webrtc: ${step.players} players failed (${step.failures.join('; ')}) while other work took ` +
            `${step.otherCpuPercent.toFixed(0)} % of a core: measuring again…`,
        );
        await sleep(REMEASURE_PAUSE_MS);
        step = await measureStep(server, fleet, options, context, step.remeasured + 1);
      }
      steps.push(step);
      log(
        `webrtc: ${step.players} players: server ${step.serverCpuPercent.toFixed(0)} % CPU, ` +
          `p50/p99 ${step.rttP50Ms.toFixed(1)}/${step.rttP99Ms.toFixed(1)} ms, delivery ${step.deliveryPercent.toFixed(2)} %, ` +
          `bots ${step.botCpuPercent.toFixed(0)} % CPU${step.failures.length > 0 ? `; FAILED: ${step.failures.join('; ')}` : ''}`,
      );
      if (step.failures.length > 0) {
        stoppedBy = `${step.players} players: ${step.failures.join('; ')}`;
        break;
      }
    }
    const passed = steps.filter((step) => step.failures.length === 0);
    return {
      inFlight: options.inFlight,
      steps,
      floorP50Ms: steps[0]?.rttP50Ms ?? Number.NaN,
      floorP99Ms: steps[0]?.rttP99Ms ?? Number.NaN,
      maxPlayers: passed.at(-1)?.players ?? 0,
      stoppedBy,
      peersPerSecond: connectedTotal / connectSecondsTotal,
      baselineRssMiB: baselineRss / 2 ** 20,
      baselineHeapMiB: baselineHeap === undefined ? undefined : baselineHeap / 2 ** 20,
      udpBuffers: receiveBufferSizes(),
      serverLogLines: server.logged.count,
      serverLogFirst: server.logged.first,
      metricsAvailable,
    };
  } finally {
    lobby?.close();
    await fleet?.stop();
    await server.stop();
  }
}

interface StepContext {
  readonly rooms: number;
  readonly connected: {
    readonly connected: number;
    readonly failed: number;
    readonly errors: readonly string[];
    readonly setupMs: Float64Array;
  };
  readonly connectSeconds: number;
  /** Server CPU over the connects, less the game traffic already running, ms. */
  readonly connectCpuMs: number;
  readonly baselineRss: number;
  readonly baselineHeap: number | undefined;
  readonly previous: WebRtcStep | undefined;
  readonly floorP99: number | undefined;
  readonly metricsAvailable: boolean;
}

async function measureStep(
  server: RealServer,
  fleet: WebRtcFleet,
  options: WebRtcOptions,
  context: StepContext,
  remeasured: number,
): Promise<WebRtcStep> {
  const metricsBefore = context.metricsAvailable ? await server.metrics() : undefined;
  const before = {
    at: performance.now(),
    machine: readMachineCpu(),
    server: cpuMicrosOf(server.pid),
    bots: sumCpu(fleet.pids),
    udp: udpReceiveBufferErrors(),
  };
  const measuring = fleet.measure(options.windowMs, options.drainMs);
  await sleep(options.windowMs);
  const after = {
    at: performance.now(),
    server: cpuMicrosOf(server.pid),
    bots: sumCpu(fleet.pids),
    udp: udpReceiveBufferErrors(),
    rss: rssBytesOf(server.pid),
    machine: readMachineCpu(),
  };
  const metricsAfter = context.metricsAvailable ? await server.metrics() : undefined;
  const reports = await measuring;
  const seconds = (after.at - before.at) / 1000;
  const windowSeconds = options.windowMs / 1000;

  const players = sumOf(reports, (r) => r.players);
  const inputs = sumOf(reports, (r) => r.inputs);
  const received = sumOf(reports, (r) => r.snapshots) + sumOf(reports, (r) => r.events);
  const rtts = sortedOf(reports.map((r) => r.rtts));
  const setup = Float64Array.from(context.connected.setupMs).sort();
  const serverCpu = after.server - before.server;
  const rss = after.rss;
  const rttP99 = quantile(rtts, 0.99);
  const floor = context.floorP99 ?? rttP99;
  const deliveryPercent = (100 * sumOf(reports, (r) => r.snapshots)) / (players * SNAPSHOT_RATE * windowSeconds);
  const serverCpuPercent = serverCpu / (seconds * 1e4);
  const botCpuPercent = (after.bots - before.bots) / (seconds * 1e4);
  const machinePercent =
    before.machine && after.machine
      ? machineBusyPercent(before.machine, after.machine, os.availableParallelism())
      : Number.NaN;
  const countedIn = metricDelta(metricsBefore, metricsAfter, 'starcatch_datachannel_messages_in_total');
  const maxTick = metricsAfter?.get('starcatch_tick_max_seconds');
  const heap = heapUsed(metricsAfter);
  const lagP99 = metricsAfter?.get('nodejs_eventloop_lag_p99_seconds');
  const lagMax = metricsAfter?.get('nodejs_eventloop_lag_max_seconds');
  const gcSeconds = metricDelta(metricsBefore, metricsAfter, 'nodejs_gc_duration_seconds_sum');

  const failures: string[] = [];
  if (rttP99 - floor > CRITERIA.p99OverFloorMs) {
    failures.push(`p99 ${rttP99.toFixed(0)} ms is ${(rttP99 - floor).toFixed(0)} ms over the floor`);
  }
  if (serverCpuPercent >= CRITERIA.maxServerCpuPercent) failures.push(`server CPU ${serverCpuPercent.toFixed(0)} %`);
  if (deliveryPercent < CRITERIA.minDeliveryPercent) failures.push(`snapshot delivery ${deliveryPercent.toFixed(1)} %`);
  if (context.connected.failed > 0) failures.push(`${context.connected.failed} connects failed`);
  const lost = Math.max(...reports.map((r) => r.lost));
  if (lost > 0) failures.push(`${sumOf(reports, (r) => r.lost)} players lost their connection`);

  return {
    players,
    rooms: context.rooms,
    newPeers: context.connected.connected,
    connectSeconds: context.connectSeconds,
    peersPerSecond: context.connected.connected / context.connectSeconds,
    serverCpuMsPerConnect: context.connectCpuMs / context.connected.connected,
    connectFailed: context.connected.failed,
    connectErrors: context.connected.errors,
    setupP50Ms: quantile(setup, 0.5),
    setupP99Ms: quantile(setup, 0.99),
    serverCpuPercent,
    messagesInPerSec: inputs / windowSeconds,
    messagesOutPerSec: received / windowSeconds,
    cpuMicrosPerMessage: serverCpu / (inputs + received),
    serverCountedInPerSec: countedIn === undefined ? undefined : countedIn / seconds,
    serverMaxTickMs: maxTick === undefined ? undefined : maxTick * 1000,
    serverLoopLagP99Ms: lagP99 === undefined ? undefined : lagP99 * 1000,
    serverLoopLagMaxMs: lagMax === undefined ? undefined : lagMax * 1000,
    serverGcPercent: gcSeconds === undefined ? undefined : (100 * gcSeconds) / seconds,
    serverRssMiB: rss / 2 ** 20,
    rssPerPeerKiB: (rss - context.baselineRss) / 1024 / players,
    marginalRssPerPeerKiB: context.previous
      ? ((rss / 2 ** 20 - context.previous.serverRssMiB) * 1024) / (players - context.previous.players)
      : Number.NaN,
    heapPerPeerKiB:
      heap === undefined || context.baselineHeap === undefined
        ? undefined
        : (heap - context.baselineHeap) / 1024 / players,
    rttP50Ms: quantile(rtts, 0.5),
    rttP99Ms: rttP99,
    rttMaxMs: quantile(rtts, 1),
    p99OverFloorMs: rttP99 - floor,
    ackedPercent: (100 * rtts.length) / inputs,
    deliveryPercent,
    serverTickHz: sumOf(reports, (r) => r.ticks) / players / windowSeconds,
    missedPercent:
      (100 * sumOf(reports, (r) => r.missedSnapshots)) /
      (sumOf(reports, (r) => r.missedSnapshots) + sumOf(reports, (r) => r.snapshots)),
    unackedAtSnapshot: sumOf(reports, (r) => r.unackedAtSnapshots) / sumOf(reports, (r) => r.snapshots),
    botCpuPercent,
    otherCpuPercent: machinePercent - serverCpuPercent - botCpuPercent,
    botLoopDelayP99Ms: Math.max(...reports.map((r) => r.loopDelayP99Ms)),
    udpRcvbufErrors: after.udp - before.udp,
    lostPlayers: sumOf(reports, (r) => r.lost),
    remeasured,
    failures,
  };
}

/** prom-client's default name, or the shorter one some exporters use. */
function heapUsed(metrics: ReadonlyMap<string, number> | undefined): number | undefined {
  return metrics?.get('nodejs_heap_size_used_bytes') ?? metrics?.get('nodejs_heap_used_bytes');
}

function metricDelta(
  before: ReadonlyMap<string, number> | undefined,
  after: ReadonlyMap<string, number> | undefined,
  name: string,
): number | undefined {
  const from = before?.get(name);
  const to = after?.get(name);
  return from === undefined || to === undefined ? undefined : to - from;
}

function sumOf(reports: readonly WindowReport[], pick: (report: WindowReport) => number): number {
  return reports.reduce((total, report) => total + pick(report), 0);
}
