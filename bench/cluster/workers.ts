import { Topic } from '@starcatch/shared';
import { signInGuest } from '../../server/test/support/guest-sign-in.ts';
import { createRoom } from '../support/game-bot.ts';
import { type Latency, latencyOf, sleep, sortedOf } from '../support/measure.ts';
import { PhoenixWire } from '../support/phoenix-wire.ts';
import type { RealServer } from '../support/real-server.ts';
import type { CpuPlan } from './affinity.ts';
import { type ClusterPlayer, type ProcessWindow, startClusterFleet } from './bot-protocol.ts';
import { cpuPercents, readCpu } from './measure.ts';
import { processTree, startNode, waitForClusterNodes } from './nodes.ts';
import type { Resources } from './resources.ts';
import { type BenchPostgres, roomHost, startRedis } from './services.ts';

/**
 * Part 3 of the cluster suite: the production server with `WORKERS=2` (a node:cluster primary and
 * two worker nodes behind one port) against `WORKERS=1` (one process), both with the same Redis and
 * PostgreSQL configuration, at the same load: werift bots in rooms of 8, all over WebRTC. Rooms are
 * created one per fresh lobby socket; the primary deals connections round-robin, so they alternate
 * between the workers (the room leases in Redis say where each landed). A bot's socket lands on
 * either worker; joining the room before offering, its peer is made on the room's host.
 */
export interface WorkersOptions {
  readonly players: number;
  readonly roomSize: number;
  readonly warmupMs: number;
  readonly windowMs: number;
  readonly drainMs: number;
  readonly botProcesses: number;
  readonly inFlight: number;
  readonly openTimeoutMs: number;
}

export interface WorkersRun extends Latency {
  readonly workers: number;
  readonly players: number;
  readonly rooms: number;
  /** Rooms each node hosts, from the room leases: `node name → rooms`. */
  readonly roomsPerNode: Readonly<Record<string, number>>;
  /** Primary and workers together, % of one core. */
  readonly serverCpuPercent: number;
  /** Each server process, % of one core: the primary first, then the workers by pid. */
  readonly processCpuPercents: readonly number[];
  /** Server CPU ÷ players: ms of CPU per player per second (= % of one core × 10 ÷ players). */
  readonly serverCpuMsPerPlayer: number;
  readonly redisCpuPercent: number;
  /** (server + Redis) ÷ players. */
  readonly totalCpuMsPerPlayer: number;
  readonly ackedPercent: number;
  readonly deliveryPercent: number;
  readonly snapshotsOverSocket: number;
  readonly lostPlayers: number;
  readonly connectFailed: number;
  readonly connectErrors: readonly string[];
  readonly setupP50Ms: number;
  readonly setupP99Ms: number;
  readonly botCpuPercent: number;
  readonly botLoopDelayP99Ms: number;
  readonly otherCpuPercent: number;
  readonly serverLogLines: number;
  readonly serverLogFirst: readonly string[];
}

const SNAPSHOT_HZ = 20;

export async function runWorkersPart(
  options: WorkersOptions,
  plan: CpuPlan | undefined,
  postgres: BenchPostgres,
  resources: Resources,
  log: (line: string) => void,
): Promise<WorkersRun[]> {
  const runs: WorkersRun[] = [];
  for (const workers of [1, 2]) {
    log(`cluster: WORKERS=${workers}, ${options.players} WebRTC players…`);
    const run = await runOne(workers, options, plan, postgres, resources);
    runs.push(run);
    log(
      `cluster: WORKERS=${workers}: server ${run.serverCpuPercent.toFixed(0)} % CPU, ` +
        `${run.serverCpuMsPerPlayer.toFixed(2)} ms/s per player, p99 ${run.p99Ms.toFixed(1)} ms`,
    );
  }
  return runs;
}

async function runOne(
  workers: number,
  options: WorkersOptions,
  plan: CpuPlan | undefined,
  postgres: BenchPostgres,
  resources: Resources,
): Promise<WorkersRun> {
  const releases: (() => Promise<void>)[] = [];
  try {
    // A fresh Redis and database each time: nothing of the other run (room list, leases, open rooms
    // another node would adopt) carries over.
    const redis = await startRedis(plan);
    releases.push(resources.add(`Redis (WORKERS=${workers})`, () => redis.stop()));
    const databaseUrl = await postgres.database();
    const server: RealServer = await startNode(plan, {
      label: `cluster-workers${workers}`,
      nodeName: `bench-workers${workers}`,
      redisUrl: redis.url,
      databaseUrl,
      workers,
    });
    releases.push(resources.add(`server (WORKERS=${workers})`, () => server.stop()));
    await waitForClusterNodes(server, workers);
    const serverPids = processTree(server.pid);

    const rooms = Math.ceil(options.players / options.roomSize);
    const host = await signInGuest(server.httpUrl, 'WorkersHost');
    const roomIds: string[] = [];
    for (let i = 0; i < rooms; i++) {
      // A new connection per room: round-robin puts consecutive ones on alternate workers.
      const lobby = await PhoenixWire.open(server.socketEndpoint, host.token);
      releases.push(resources.add('lobby socket', () => lobby.close()));
      await lobby.join(Topic.lobby);
      roomIds.push(await createRoom(lobby, `Workers ${i + 1}`, options.roomSize));
    }
    const roomsPerNode: Record<string, number> = {};
    for (const roomId of roomIds) {
      const node = (await roomHost(redis.port, roomId)) ?? 'unknown';
      roomsPerNode[node] = (roomsPerNode[node] ?? 0) + 1;
    }

    const fleet = await startClusterFleet(options.botProcesses, server.httpUrl, server.socketEndpoint);
    releases.push(resources.add('bot processes', () => fleet.stop()));
    const players: ClusterPlayer[] = roomIds.flatMap((roomId, room) =>
      Array.from({ length: options.roomSize }, (_, i) => ({
        roomId,
        nickname: 'Bot',
        label: `R${room + 1}-${i + 1}`,
        transport: 'webrtc' as const,
        phase: (i + 0.5) / options.roomSize,
      })),
    );
    const connected = await fleet.connect(players, options.inFlight, options.openTimeoutMs);
    await sleep(options.warmupMs);

    const groups: Record<string, number[]> = {
      server: serverPids,
      redis: redis.pid === undefined ? [] : [redis.pid],
      bots: fleet.pids,
    };
    for (const [i, pid] of serverPids.entries()) groups[`process${i}`] = [pid];
    const before = readCpu(groups);
    const measuring = fleet.measure(options.windowMs, options.drainMs);
    await sleep(options.windowMs);
    const after = readCpu(groups);
    const windows: ProcessWindow[] = await measuring;
    const cpu = cpuPercents(before, after);
    const percent = (name: string): number => cpu[name] ?? Number.NaN;

    const bots = windows.flatMap((w) => w.bots);
    const playing = bots.filter((bot) => !bot.lost).length;
    const inputs = bots.reduce((n, bot) => n + bot.inputs, 0);
    const snapshots = bots.reduce((n, bot) => n + bot.snapshots, 0);
    const rtts = sortedOf(bots.map((bot) => bot.rtts));
    const setup = Float64Array.from(connected.setupMs).sort();
    const serverCpuPercent = percent('server');
    const redisCpuPercent = percent('redis');
    return {
      workers,
      players: bots.length,
      rooms,
      roomsPerNode,
      serverCpuPercent,
      processCpuPercents: serverPids.map((_, i) => percent(`process${i}`)),
      serverCpuMsPerPlayer: (serverCpuPercent * 10) / bots.length,
      redisCpuPercent,
      totalCpuMsPerPlayer: ((serverCpuPercent + redisCpuPercent) * 10) / bots.length,
      ackedPercent: (100 * rtts.length) / inputs,
      deliveryPercent: (100 * snapshots) / (playing * SNAPSHOT_HZ * (options.windowMs / 1000)),
      snapshotsOverSocket: bots.reduce((n, bot) => n + bot.snapshotsOverSocket, 0),
      lostPlayers: bots.length - playing,
      connectFailed: connected.failed,
      connectErrors: connected.errors,
      setupP50Ms: latencyOf(setup).p50Ms,
      setupP99Ms: latencyOf(setup).p99Ms,
      botCpuPercent: percent('bots'),
      botLoopDelayP99Ms: Math.max(...windows.map((w) => w.loopDelayP99Ms)),
      otherCpuPercent: percent('machine') - serverCpuPercent - redisCpuPercent - percent('bots'),
      serverLogLines: server.logged.count,
      serverLogFirst: server.logged.first,
      ...latencyOf(rtts),
    };
  } finally {
    for (const release of releases.reverse()) await release();
  }
}
