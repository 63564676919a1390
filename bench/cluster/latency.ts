import { SNAPSHOT_RATE, Topic } from '@starcatch/shared';
import { signInGuest } from '../../server/test/support/guest-sign-in.ts';
import type { ConnectReport } from '../support/bot-protocol.ts';
import { createRoom } from '../support/game-bot.ts';
import { type Latency, latencyOf, sleep, sortedOf } from '../support/measure.ts';
import { PhoenixWire } from '../support/phoenix-wire.ts';
import type { RealServer } from '../support/real-server.ts';
import type { CpuPlan } from './affinity.ts';
import { type ClusterFleet, type ClusterPlayer, type ProcessWindow, startClusterFleet } from './bot-protocol.ts';
import type { BotTransport, BotWindow } from './cluster-bot.ts';
import { cpuPercents, type RedisTraffic, readCpu, readRedis, redisTraffic } from './measure.ts';
import { redisCounters, startNode, waitForClusterNodes } from './nodes.ts';
import type { Resources } from './resources.ts';
import type { BenchPostgres } from './services.ts';
import { startRedis } from './services.ts';

/**
 * Parts 1 and 4 of the cluster suite. Two nodes (A and B) share one Redis and one database; a room
 * is created through a lobby socket on A, so A simulates it. 4 bots have their socket on A (the
 * host) and 4 on B (remote), all playing in that room at once: first all over WebRTC (B's peers
 * are made on A through forwarded signaling), then, in a second room, all on the WebSocket fallback
 * (B's inputs and snapshots relayed through Redis). Every bot is timed input → acknowledging
 * snapshot; host and remote are compared within the same window. The nodes' PubSub counters at the
 * window edges, less the idle traffic measured before any room, give Redis's cost per room.
 */
export interface LatencyOptions {
  readonly warmupMs: number;
  readonly windowMs: number;
  readonly drainMs: number;
  /** The idle window (no room) that measures the background traffic: presence heartbeats. */
  readonly idleMs: number;
  readonly openTimeoutMs: number;
  /** Bots per node (the room holds twice as many). */
  readonly botsPerNode: number;
}

export type Role = 'host' | 'remote';

export interface BotFigures extends Latency {
  readonly label: string;
  readonly phase: number;
  readonly node: 'A' | 'B';
  readonly role: Role;
  readonly transport: BotTransport;
  readonly inputs: number;
  readonly ackedPercent: number;
  readonly snapshotsPerSec: number;
  /** Snapshots that came over the WebSocket in the window: 0 for a WebRTC bot whose peer held. */
  readonly snapshotsOverSocket: number;
  readonly missedPercent: number;
  /** Inputs not yet acknowledged when a snapshot arrived, on average. */
  readonly unackedAtSnapshot: number;
  readonly lost: string | undefined;
}

export interface GroupFigures extends Latency {
  readonly role: Role;
  readonly bots: number;
  readonly inputs: number;
  readonly ackedPercent: number;
  /** Per bot. */
  readonly snapshotsPerSec: number;
  readonly missedPercent: number;
  readonly lost: number;
}

export interface LatencyPhase {
  readonly transport: BotTransport;
  readonly bots: readonly BotFigures[];
  readonly host: GroupFigures;
  readonly remote: GroupFigures;
  /** remote − host. */
  readonly p50DeltaMs: number;
  readonly p99DeltaMs: number;
  readonly nodeACpuPercent: number;
  readonly nodeBCpuPercent: number;
  readonly redisCpuPercent: number;
  readonly botCpuPercent: number;
  readonly botLoopDelayP99Ms: number;
  readonly otherCpuPercent: number;
  /** From A's /metrics at the end of the window: B's tabs with a relayed seat / a peer on A. */
  readonly remoteSeatsOnHost: number;
  readonly remotePeersOnHost: number;
  readonly connectFailed: number;
  readonly connectErrors: readonly string[];
  readonly setupP50Ms: number;
  readonly setupP99Ms: number;
  /** Redis traffic of the window, idle traffic included (the report subtracts `idle`). */
  readonly redis: RedisTraffic;
  readonly players: number;
}

export interface LatencyResult {
  readonly idle: RedisTraffic;
  readonly idleRedisCpuPercent: number;
  readonly phases: LatencyPhase[];
  readonly serverLogLines: number;
  readonly serverLogFirst: readonly string[];
}

export async function runLatencyPart(
  options: LatencyOptions,
  plan: CpuPlan | undefined,
  postgres: BenchPostgres,
  resources: Resources,
  log: (line: string) => void,
): Promise<LatencyResult> {
  const redis = await startRedis(plan);
  const releaseRedis = resources.add('Redis (latency)', () => redis.stop());
  const nodes: RealServer[] = [];
  const releases: (() => Promise<void>)[] = [];
  try {
    const databaseUrl = await postgres.database();
    // One after the other: the first node migrates the fresh database.
    for (const name of ['A', 'B']) {
      const node = await startNode(plan, {
        label: `cluster-${name.toLowerCase()}`,
        nodeName: `bench-${name.toLowerCase()}`,
        redisUrl: redis.url,
        databaseUrl,
      });
      nodes.push(node);
      releases.push(resources.add(`node ${name}`, () => node.stop()));
    }
    const [a, b] = nodes as [RealServer, RealServer];
    await Promise.all(nodes.map((node) => waitForClusterNodes(node, 2)));
    await sleep(1000);

    log(`cluster: idle Redis traffic (two nodes, no room), ${options.idleMs / 1000} s…`);
    const idleCpuBefore = readCpu({ redis: redis.pid === undefined ? [] : [redis.pid] });
    const idleBefore = await readRedis(nodes, redis.port);
    await sleep(options.idleMs);
    const idle = redisTraffic(idleBefore, await readRedis(nodes, redis.port));
    const idleRedisCpuPercent = cpuPercents(
      idleCpuBefore,
      readCpu({ redis: redis.pid === undefined ? [] : [redis.pid] }),
    ).redis as number;

    const host = await signInGuest(a.httpUrl, 'ClusterHost');
    const lobby = await PhoenixWire.open(a.socketEndpoint, host.token);
    releases.push(resources.add('lobby socket', () => lobby.close()));
    await lobby.join(Topic.lobby);

    const phases: LatencyPhase[] = [];
    for (const transport of ['webrtc', 'websocket'] as const) {
      const roomId = await createRoom(lobby, `Cluster ${transport}`, options.botsPerNode * 2);
      log(`cluster: room of ${options.botsPerNode * 2} on node A, ${transport}: connecting…`);
      phases.push(await runPhase(transport, roomId, a, b, redis, options, resources));
      const phase = phases.at(-1) as LatencyPhase;
      log(
        `cluster: ${transport}: p99 host ${phase.host.p99Ms.toFixed(1)} ms, remote ${phase.remote.p99Ms.toFixed(1)} ms ` +
          `(${phase.p99DeltaMs >= 0 ? '+' : ''}${phase.p99DeltaMs.toFixed(1)})`,
      );
    }
    return {
      idle,
      idleRedisCpuPercent,
      phases,
      serverLogLines: a.logged.count + b.logged.count,
      serverLogFirst: [...a.logged.first, ...b.logged.first].slice(0, 5),
    };
  } finally {
    for (const release of releases.reverse()) await release();
    await releaseRedis();
  }
}

async function runPhase(
  transport: BotTransport,
  roomId: string,
  a: RealServer,
  b: RealServer,
  redis: { readonly port: number; readonly pid: number | undefined },
  options: LatencyOptions,
  resources: Resources,
): Promise<LatencyPhase> {
  const fleets: ClusterFleet[] = [];
  const releases: (() => Promise<void>)[] = [];
  try {
    for (const node of [a, b]) {
      const fleet = await startClusterFleet(1, node.httpUrl, node.socketEndpoint);
      fleets.push(fleet);
      releases.push(resources.add('bot process', () => fleet.stop()));
    }
    const [fleetA, fleetB] = fleets as [ClusterFleet, ClusterFleet];
    const players = (node: 'A' | 'B'): ClusterPlayer[] =>
      Array.from({ length: options.botsPerNode }, (_, i) => ({
        roomId,
        nickname: `Bot${node}`,
        label: `${node}${i + 1}`,
        transport,
        // Host and remote bots get the same phases, spread over the input period.
        phase: (i + 0.5) / options.botsPerNode,
      }));
    const connects: ConnectReport[] = await Promise.all([
      fleetA.connect(players('A'), options.botsPerNode, options.openTimeoutMs),
      fleetB.connect(players('B'), options.botsPerNode, options.openTimeoutMs),
    ]);
    await sleep(options.warmupMs);

    const groups = {
      a: [a.pid],
      b: [b.pid],
      redis: redis.pid === undefined ? [] : [redis.pid],
      bots: [...fleetA.pids, ...fleetB.pids],
    };
    const redisBefore = await readRedis([a, b], redis.port);
    const cpuBefore = readCpu(groups);
    const measuring = Promise.all([
      fleetA.measure(options.windowMs, options.drainMs),
      fleetB.measure(options.windowMs, options.drainMs),
    ]);
    await sleep(options.windowMs);
    const cpuAfter = readCpu(groups);
    const redisAfter = await readRedis([a, b], redis.port);
    const hostCounters = await redisCounters(a);
    const [windowA, windowB] = (await measuring) as [ProcessWindow[], ProcessWindow[]];
    const cpu = cpuPercents(cpuBefore, cpuAfter);
    const seconds = options.windowMs / 1000;

    const figures = [
      ...windowA.flatMap((w) => w.bots).map((bot) => botFigures(bot, 'A', seconds)),
      ...windowB.flatMap((w) => w.bots).map((bot) => botFigures(bot, 'B', seconds)),
    ].sort((x, y) => x.label.localeCompare(y.label));
    const botWindows = [...windowA, ...windowB].flatMap((w) => w.bots);
    const hostGroup = groupFigures(
      'host',
      windowA.flatMap((w) => w.bots),
      seconds,
    );
    const remoteGroup = groupFigures(
      'remote',
      windowB.flatMap((w) => w.bots),
      seconds,
    );
    const setup = sortedOf(connects.map((c) => c.setupMs));
    const percent = (name: string): number => cpu[name] ?? Number.NaN;
    return {
      transport,
      bots: figures,
      host: hostGroup,
      remote: remoteGroup,
      p50DeltaMs: remoteGroup.p50Ms - hostGroup.p50Ms,
      p99DeltaMs: remoteGroup.p99Ms - hostGroup.p99Ms,
      nodeACpuPercent: percent('a'),
      nodeBCpuPercent: percent('b'),
      redisCpuPercent: percent('redis'),
      botCpuPercent: percent('bots'),
      botLoopDelayP99Ms: Math.max(...[...windowA, ...windowB].map((w) => w.loopDelayP99Ms)),
      otherCpuPercent: percent('machine') - percent('a') - percent('b') - percent('redis') - percent('bots'),
      remoteSeatsOnHost: hostCounters?.remoteSeats ?? Number.NaN,
      remotePeersOnHost: hostCounters?.remotePeers ?? Number.NaN,
      connectFailed: connects.reduce((n, c) => n + c.failed, 0),
      connectErrors: connects.flatMap((c) => c.errors).slice(0, 5),
      setupP50Ms: latencyOf(setup).p50Ms,
      setupP99Ms: latencyOf(setup).p99Ms,
      redis: redisTraffic(redisBefore, redisAfter),
      players: botWindows.length,
    };
  } finally {
    for (const release of releases.reverse()) await release();
  }
}

function botFigures(bot: BotWindow, node: 'A' | 'B', seconds: number): BotFigures {
  return {
    label: bot.label,
    phase: bot.phase,
    node,
    role: node === 'A' ? 'host' : 'remote',
    transport: bot.transport,
    inputs: bot.inputs,
    ackedPercent: (100 * bot.rtts.length) / bot.inputs,
    snapshotsPerSec: bot.snapshots / seconds,
    snapshotsOverSocket: bot.snapshotsOverSocket,
    missedPercent: (100 * bot.missedSnapshots) / (bot.missedSnapshots + bot.snapshots),
    unackedAtSnapshot: bot.unackedAtSnapshots / bot.snapshots,
    lost: bot.lost ? (bot.lostReason ?? 'lost') : undefined,
    ...latencyOf(Float64Array.from(bot.rtts).sort()),
  };
}

function groupFigures(role: Role, bots: readonly BotWindow[], seconds: number): GroupFigures {
  const sum = (pick: (bot: BotWindow) => number): number => bots.reduce((n, bot) => n + pick(bot), 0);
  const rtts = sortedOf(bots.map((bot) => bot.rtts));
  return {
    role,
    bots: bots.length,
    inputs: sum((bot) => bot.inputs),
    ackedPercent: (100 * rtts.length) / sum((bot) => bot.inputs),
    snapshotsPerSec: sum((bot) => bot.snapshots) / seconds / bots.length,
    missedPercent: (100 * sum((bot) => bot.missedSnapshots)) / sum((bot) => bot.missedSnapshots + bot.snapshots),
    lost: bots.filter((bot) => bot.lost).length,
    ...latencyOf(rtts),
  };
}

/** The nominal snapshot rate a bot should see, for the report's notes. */
export const EXPECTED_SNAPSHOTS_PER_SEC = SNAPSHOT_RATE;
