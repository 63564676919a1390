import {
  bitsFromStick,
  encodeInput,
  type GameEventMessage,
  type GameRates,
  NO_IMPAIRMENT,
  type PlayerTransport,
  SeededRandom,
} from '@starcatch/shared';
import type { PlayerLink, SnapshotDelivery } from '../../server/src/game/player-link.ts';
import { RoomSimulation } from '../../server/src/game/room-simulation.ts';
import { DEFAULT_SIMULATION_SETTINGS } from '../../server/src/game/simulation-settings.ts';
import { cpuPercent, readProcStats } from '../support/proc-stats.ts';
import { startRealServer } from '../support/real-server.ts';
import { NetcodeBot } from './netcode-bot.ts';

/** The rate pairs the issue asks about: the default, more snapshots, and more ticks. */
export const RATE_PAIRS: readonly GameRates[] = [
  { tickHz: 30, snapshotHz: 20 },
  { tickHz: 30, snapshotHz: 30 },
  { tickHz: 60, snapshotHz: 30 },
  { tickHz: 60, snapshotHz: 60 },
];
/** A full room of the size the WebRTC bench uses: every player steering, every snapshot sent to all. */
const PLAYERS = 8;
/** Each player changes direction this often (in ticks at 30 Hz, scaled), so ships keep moving. */
const STEER_SECONDS = 1.5;
/**
 * Wire overhead per message beyond the payload, bytes: DTLS (≈ 29), SCTP common header and DATA
 * chunk (28) and UDP/IPv4 (28) for a DataChannel message, the usual figure for what a game packet
 * really costs on the network.
 */
export const DATA_CHANNEL_OVERHEAD_BYTES = 85;

export interface RateCostOptions {
  /** Simulated seconds of play for the simulation-only figure. */
  readonly simulationSeconds: number;
  readonly warmupMs: number;
  readonly windowMs: number;
  readonly openTimeoutMs: number;
}

/** The production server's CPU for one room of 8 on one path, over a window. */
export interface ServerRateCost {
  readonly transport: PlayerTransport;
  /** % of one core for the whole server process (one room of 8 playing). */
  readonly serverCpuPercent: number;
  /** Frame bytes per player per second, down and up (what the bots counted). */
  readonly bytesInPerSec: number;
  readonly bytesOutPerSec: number;
  /** The bench process's own CPU (the 8 bots), % of one core: a busy bench slows what it measures. */
  readonly benchCpuPercent: number;
  readonly error?: string;
}

export interface RateCost {
  readonly rates: GameRates;
  /** CPU per second of play of one 8-player room's simulation (step, snapshot encoding and copies), µs. */
  readonly cpuMicrosPerRoomSecond: number;
  /** ÷ one core: the share of a core that simulation takes, %. */
  readonly cpuPercentPerRoom: number;
  /** The whole production server with 8 bots on each path. */
  readonly server: readonly ServerRateCost[];
  /** Per player: snapshot payload down and input payload up (with 3 repeated inputs), bytes/s. */
  readonly downBytesPerSec: number;
  readonly upBytesPerSec: number;
  /** The same with DataChannel framing (DATA_CHANNEL_OVERHEAD_BYTES per message), bytes/s. */
  readonly downWireBytesPerSec: number;
  readonly upWireBytesPerSec: number;
}

/** A link that counts what a room sends it, the way a transport would take it. */
class CountingLink implements PlayerLink {
  readonly id: string;
  snapshots = 0;
  snapshotBytes = 0;

  constructor(id: string) {
    this.id = id;
  }

  sendSnapshot(bytes: Uint8Array<ArrayBuffer>): SnapshotDelivery {
    this.snapshots++;
    this.snapshotBytes += bytes.byteLength;
    return 'sent';
  }

  sendEvent(event: GameEventMessage): void {
    // What a transport does with an event: serialise it.
    JSON.stringify(event);
  }
}

/**
 * Repeats of the simulation-only measurement; the fastest is kept, as micro-benchmarks do: the
 * others paid for the JIT, a GC or a neighbour on the machine.
 */
const SIMULATION_REPEATS = 5;

/**
 * CPU and bytes of each tick/snapshot rate pair, two ways:
 * - the simulation alone: an 8-player room in this process on a fake clock for `simulationSeconds`
 *   of play (as fast as the CPU goes), every player sending one input per tick; this thread's CPU
 *   (`process.cpuUsage`), so the simulation's own cost without any transport;
 * - the production server (GAME_TICK_HZ, SNAPSHOT_HZ) with one room of 8 headless bots on each
 *   path, unimpaired: its whole CPU (/proc), transports included, which is what the rates cost.
 */
export async function measureRateCosts(options: RateCostOptions, log: (line: string) => void): Promise<RateCost[]> {
  for (const rates of RATE_PAIRS) simulateRoom(rates, Math.min(2, options.simulationSeconds));
  const costs: RateCost[] = [];
  for (const rates of RATE_PAIRS) {
    const runs = Array.from({ length: SIMULATION_REPEATS }, () => simulateRoom(rates, options.simulationSeconds));
    const simulated = runs.sort((a, b) => a.cpuMicrosPerRoomSecond - b.cpuMicrosPerRoomSecond)[0];
    if (!simulated) throw new Error('no simulation run');
    const server: ServerRateCost[] = [];
    for (const transport of ['webrtc', 'websocket'] as const) {
      log(`netcode: ${rates.tickHz}/${rates.snapshotHz} Hz, 8 players over ${transport}…`);
      server.push(await measureServer(rates, transport, options));
    }
    costs.push({ ...simulated, server });
  }
  return costs;
}

async function measureServer(
  rates: GameRates,
  transport: PlayerTransport,
  options: RateCostOptions,
): Promise<ServerRateCost> {
  const server = await startRealServer({
    label: `rates-${rates.tickHz}-${rates.snapshotHz}`,
    env: { GAME_TICK_HZ: String(rates.tickHz), SNAPSHOT_HZ: String(rates.snapshotHz) },
  });
  const bots: NetcodeBot[] = [];
  try {
    const urls = { http: server.httpUrl, socket: server.socketEndpoint };
    for (let i = 0; i < PLAYERS; i++) {
      bots.push(await NetcodeBot.connect(urls, `rc${i}`, transport, NO_IMPAIRMENT, 100 + i, options.openTimeoutMs));
    }
    const roomId = await (bots[0] as NetcodeBot).createRoom('rates', PLAYERS);
    for (const bot of bots) await bot.play(roomId);
    await new Promise((done) => setTimeout(done, options.warmupMs));
    const bytes = (pick: 'bytesIn' | 'bytesOut'): number =>
      bots.reduce((total, bot) => total + (bot.link?.[pick] ?? 0), 0);
    const before = {
      in: bytes('bytesIn'),
      out: bytes('bytesOut'),
      cpu: readProcStats(server.pid),
      own: process.cpuUsage(),
    };
    const startedAt = performance.now();
    await new Promise((done) => setTimeout(done, options.windowMs));
    const elapsed = performance.now() - startedAt;
    const own = process.cpuUsage(before.own);
    return {
      transport,
      serverCpuPercent: cpuPercent(before.cpu, readProcStats(server.pid), elapsed),
      bytesInPerSec: (bytes('bytesIn') - before.in) / PLAYERS / (elapsed / 1000),
      bytesOutPerSec: (bytes('bytesOut') - before.out) / PLAYERS / (elapsed / 1000),
      benchCpuPercent: (own.user + own.system) / (elapsed * 10),
    };
  } catch (cause) {
    const error = cause instanceof Error ? cause.message : String(cause);
    const nan = Number.NaN;
    return { transport, serverCpuPercent: nan, bytesInPerSec: nan, bytesOutPerSec: nan, benchCpuPercent: nan, error };
  } finally {
    for (const bot of bots) bot.close();
    await server.stop();
  }
}

export function simulateRoom(rates: GameRates, seconds: number): Omit<RateCost, 'server'> {
  let now = 0;
  const simulation = new RoomSimulation({
    roomId: 'bench',
    seed: 7,
    settings: { ...DEFAULT_SIMULATION_SETTINGS, rates, timing: { roundSeconds: 3600, intermissionSeconds: 5 } },
    clock: () => now,
    wallClock: () => 0,
    listener: { phaseChanged: () => {}, roundFinished: () => {} },
  });
  const links = Array.from({ length: PLAYERS }, (_, slot) => new CountingLink(`p${slot}`));
  links.forEach((link, slot) => {
    simulation.join({ userId: `u${slot}`, nickname: `p${slot}`, color: '#ffffff', slot }, link);
  });
  const random = new SeededRandom(1);
  const steering = links.map(() => 0);
  const ticks = Math.round(seconds * rates.tickHz);
  const steerEvery = Math.round(STEER_SECONDS * rates.tickHz);
  let inputBytes = 0;
  const started = process.cpuUsage();
  for (let tick = 1; tick <= ticks; tick++) {
    links.forEach((link, slot) => {
      if (tick % steerEvery === slot % steerEvery)
        steering[slot] = bitsFromStick(random.next() - 0.5, random.next() - 0.5);
      const bits = steering[slot] ?? 0;
      const input = encodeInput({ seq: tick, bits, clientTime: tick, earlier: [bits, bits, bits] });
      inputBytes += input.byteLength;
      simulation.submitInput(link.id, input);
    });
    now = (tick * 1000) / rates.tickHz;
    simulation.advance();
  }
  const cpu = process.cpuUsage(started);
  const cpuMicros = cpu.user + cpu.system;
  const snapshotsPerPlayer = links.reduce((total, link) => total + link.snapshots, 0) / PLAYERS;
  const downBytes = links.reduce((total, link) => total + link.snapshotBytes, 0) / PLAYERS;
  const upBytes = inputBytes / PLAYERS;
  return {
    rates,
    cpuMicrosPerRoomSecond: cpuMicros / seconds,
    cpuPercentPerRoom: cpuMicros / seconds / 10_000,
    downBytesPerSec: downBytes / seconds,
    upBytesPerSec: upBytes / seconds,
    downWireBytesPerSec: (downBytes + snapshotsPerPlayer * DATA_CHANNEL_OVERHEAD_BYTES) / seconds,
    upWireBytesPerSec: (upBytes + ticks * DATA_CHANNEL_OVERHEAD_BYTES) / seconds,
  };
}
