import { randomInt } from 'node:crypto';
import type { RoomState } from '@starcatch/shared';
import { addInputCounts, emptyInputCounts, type InputCounts, type InputVerdict } from './input-stream.ts';
import type { PlayerLink } from './player-link.ts';
import { type RoomPlayer, RoomSimulation, type RoomSimulationStats } from './room-simulation.ts';
import type { FinishedRound } from './round-results.ts';
import type { SimulationSettings } from './simulation-settings.ts';
import type { MonotonicClock } from './tick-accumulator.ts';
import { realTimers, TickLoop, type TickScheduler } from './tick-loop.ts';

export interface RoomSimulationsOptions {
  readonly settings: SimulationSettings;
  /** A room's round phase changed; `waiting` also when its last player left. */
  phaseChanged(roomId: string, phase: RoomState): void;
  roundFinished(round: FinishedRound): void;
  /** A tick threw (a bug); the room keeps running. */
  tickFailed(roomId: string, error: unknown): void;
  readonly clock?: MonotonicClock;
  readonly wallClock?: () => number;
  readonly scheduler?: TickScheduler;
  /** The star layout seed of each new simulation; random by default. */
  readonly seed?: () => number;
}

/** Running totals over every room this process has simulated, for metrics: they never go down. */
export interface GameTotals {
  snapshotsSent: number;
  snapshotsSkipped: number;
  /** Snapshot payload bytes sent, without transport framing. */
  snapshotBytes: number;
  skippedTicks: number;
  readonly inputs: InputCounts;
}

function emptyTotals(): GameTotals {
  return { snapshotsSent: 0, snapshotsSkipped: 0, snapshotBytes: 0, skippedTicks: 0, inputs: emptyInputCounts() };
}

function totalsOf(room: RoomSimulationStats): GameTotals {
  const { snapshots } = room;
  return {
    snapshotsSent: snapshots.sent,
    snapshotsSkipped: snapshots.skipped,
    snapshotBytes: snapshots.bytes,
    skippedTicks: room.skippedTicks,
    inputs: addInputCounts(emptyInputCounts(), room.inputs),
  };
}

/** Adds `more` into `into` and returns `into`. */
function addTotals(into: GameTotals, more: GameTotals): GameTotals {
  into.snapshotsSent += more.snapshotsSent;
  into.snapshotsSkipped += more.snapshotsSkipped;
  into.snapshotBytes += more.snapshotBytes;
  into.skippedTicks += more.skippedTicks;
  addInputCounts(into.inputs, more.inputs);
  return into;
}

interface LiveRoom {
  readonly simulation: RoomSimulation;
  readonly loop: TickLoop;
}

/**
 * The simulations of this server: one per room that has players, started with its first link and
 * stopped with its last (the next player starts a fresh match). Links are found by id, so the
 * transport side only needs to know its own link.
 */
export class RoomSimulations {
  readonly #options: RoomSimulationsOptions;
  readonly #rooms = new Map<string, LiveRoom>();
  readonly #roomOfLink = new Map<string, string>();
  /** What the rooms that stopped had counted. */
  readonly #stopped = emptyTotals();
  readonly #tickListeners = new Set<(msPerTick: number, ticks: number) => void>();

  constructor(options: RoomSimulationsOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#rooms.size;
  }

  get(roomId: string): RoomSimulation | undefined {
    return this.#rooms.get(roomId)?.simulation;
  }

  join(roomId: string, player: RoomPlayer, link: PlayerLink): void {
    const room = this.#rooms.get(roomId) ?? this.#start(roomId);
    try {
      room.simulation.join(player, link);
    } finally {
      // A refused join (a slot clash, a bug upstream) must not leave an empty room ticking.
      if (room.simulation.isEmpty) this.#stop(roomId, room);
    }
    this.#roomOfLink.set(link.id, roomId);
  }

  leave(linkId: string): void {
    const roomId = this.#roomOfLink.get(linkId);
    if (roomId === undefined) return;
    this.#roomOfLink.delete(linkId);
    const room = this.#rooms.get(roomId);
    if (!room) return;
    room.simulation.leave(linkId);
    if (room.simulation.isEmpty) this.#stop(roomId, room);
  }

  /** One raw INPUT message from a link; undefined when the link is in no room. */
  submitInput(linkId: string, data: ArrayBuffer | ArrayBufferView): InputVerdict | undefined {
    return this.#simulationOf(linkId)?.submitInput(linkId, data);
  }

  resync(linkId: string): void {
    this.#simulationOf(linkId)?.resync(linkId);
  }

  stats(): Record<string, RoomSimulationStats> {
    return Object.fromEntries([...this.#rooms].map(([id, room]) => [id, room.simulation.stats()]));
  }

  /** Told after every `advance` of any room: its ticks and their average wall time. Returns a remover. */
  onTicks(listener: (msPerTick: number, ticks: number) => void): () => void {
    this.#tickListeners.add(listener);
    return () => this.#tickListeners.delete(listener);
  }

  /** Totals over the stopped rooms and the running ones. */
  totals(): GameTotals {
    const totals = addTotals(emptyTotals(), this.#stopped);
    for (const room of this.#rooms.values()) addTotals(totals, totalsOf(room.simulation.stats()));
    return totals;
  }

  /** Stops every loop (server shutdown). */
  dispose(): void {
    for (const room of this.#rooms.values()) room.loop.stop();
    this.#rooms.clear();
    this.#roomOfLink.clear();
  }

  #simulationOf(linkId: string): RoomSimulation | undefined {
    const roomId = this.#roomOfLink.get(linkId);
    return roomId === undefined ? undefined : this.#rooms.get(roomId)?.simulation;
  }

  #stop(roomId: string, room: LiveRoom): void {
    room.loop.stop();
    addTotals(this.#stopped, totalsOf(room.simulation.stats()));
    this.#rooms.delete(roomId);
    if (room.simulation.phase !== 'waiting') this.#options.phaseChanged(roomId, 'waiting');
  }

  #start(roomId: string): LiveRoom {
    const options = this.#options;
    const simulation = new RoomSimulation({
      roomId,
      seed: options.seed?.() ?? randomInt(2 ** 32),
      settings: options.settings,
      clock: options.clock ?? (() => performance.now()),
      wallClock: options.wallClock ?? Date.now,
      listener: {
        phaseChanged: (phase) => options.phaseChanged(roomId, phase),
        roundFinished: (round) => options.roundFinished(round),
        advanced: (msPerTick, ticks) => {
          for (const listener of this.#tickListeners) listener(msPerTick, ticks);
        },
      },
    });
    const loop = new TickLoop(
      simulation,
      (error) => options.tickFailed(roomId, error),
      options.scheduler ?? realTimers,
    );
    const room = { simulation, loop };
    this.#rooms.set(roomId, room);
    loop.start();
    return room;
  }
}
