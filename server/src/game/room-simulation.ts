import {
  addPlayer,
  createGameState,
  GameEvent,
  type GameEventMessage,
  type GameState,
  isSnapshotTick,
  type PlayerState,
  type RoomState,
  type RoundEndedEvent,
  removePlayer,
  type SyncEvent,
  step,
  toWireTime,
} from '@starcatch/shared';
import { addInputCounts, emptyInputCounts, type InputCounts, InputStream, type InputVerdict } from './input-stream.ts';
import type { PlayerLink } from './player-link.ts';
import type { FinishedRound } from './round-results.ts';
import type { SimulationSettings } from './simulation-settings.ts';
import { SnapshotBroadcaster, type SnapshotCounts } from './snapshot-broadcaster.ts';
import { type MonotonicClock, TickAccumulator } from './tick-accumulator.ts';
import type { Tickable } from './tick-loop.ts';

/** A member of the room as the match sees them. */
export interface RoomPlayer {
  readonly userId: string;
  readonly nickname: string;
  readonly color: string;
  /** Handed out by the room registry; fixed while the player is in the room. */
  readonly slot: number;
}

export interface RoomSimulationListener {
  /** The round clock entered another phase (the lobby shows it). */
  phaseChanged(phase: RoomState): void;
  /** A round ran its full length; its result is final. */
  roundFinished(round: FinishedRound): void;
  /** `advance` ran `ticks` ticks taking `msPerTick` of wall time each, on average (for metrics). */
  advanced?(msPerTick: number, ticks: number): void;
}

export interface RoomSimulationOptions {
  readonly roomId: string;
  /** Picks the star layout sequence. */
  readonly seed: number;
  readonly settings: SimulationSettings;
  readonly clock: MonotonicClock;
  /** Epoch milliseconds, for the time stamped on stored results. */
  readonly wallClock: () => number;
  readonly listener: RoomSimulationListener;
}

export interface RoomSimulationStats {
  readonly tick: number;
  readonly phase: RoomState;
  readonly players: number;
  readonly links: number;
  /** Ticks dropped after stalls longer than the catch-up allowance. */
  readonly skippedTicks: number;
  readonly snapshots: Readonly<SnapshotCounts>;
  /** Summed over every link the room has had, gone ones included. */
  readonly inputs: Readonly<InputCounts>;
  /** Wall time of the slowest `advance`, per tick it ran, in ms. */
  readonly maxTickMs: number;
}

interface Member {
  readonly player: RoomPlayer;
  readonly receivers: Set<Receiver>;
  /** The direction bits held, kept from the last applied input until another one arrives. */
  bits: number;
}

interface Receiver {
  readonly link: PlayerLink;
  readonly inputs: InputStream;
  readonly member: Member;
}

/**
 * One room's match: the authoritative game state, advanced at a fixed `rates.tickHz` with the shared
 * `step`, fed by its players' inputs and read out as a snapshot per receiver at `rates.snapshotHz`
 * (see `isSnapshotTick`) and as game events. A player is one user (one slot); each of their tabs is a link with its own
 * input stream and ack. The inputs of a player's tabs steer the same ship.
 *
 * It does no timing of its own: a `TickLoop` calls `advance`, which runs whatever ticks the
 * monotonic clock says are due, so tests drive it with a fake clock.
 */
export class RoomSimulation implements Tickable {
  readonly roomId: string;
  readonly #options: RoomSimulationOptions;
  readonly #members = new Map<number, Member>();
  readonly #receivers = new Map<string, Receiver>();
  readonly #ticks: TickAccumulator;
  readonly #broadcaster = new SnapshotBroadcaster();
  /** Input counts of the links that left, so the room's totals never go down. */
  readonly #departedInputs = emptyInputCounts();
  #state: GameState;
  #phase: RoomState;
  #maxTickMs = 0;

  constructor(options: RoomSimulationOptions) {
    this.roomId = options.roomId;
    this.#options = options;
    this.#state = createGameState(options.seed);
    this.#phase = this.#state.round.phase;
    this.#ticks = new TickAccumulator(options.settings.rates.tickHz, options.settings.maxCatchUpTicks, options.clock());
  }

  get state(): GameState {
    return this.#state;
  }

  get phase(): RoomState {
    return this.#phase;
  }

  /** No link left: the room's simulation can stop. */
  get isEmpty(): boolean {
    return this.#receivers.size === 0;
  }

  /**
   * A tab of `player` enters the match. The player's ship appears with their first tab. The new
   * link gets a `sync` (everything it needs to catch up); the others hear `player_joined`.
   */
  join(player: RoomPlayer, link: PlayerLink): void {
    if (this.#receivers.has(link.id)) throw new Error(`link ${link.id} has already joined room ${this.roomId}`);
    let member = this.#members.get(player.slot);
    if (member && member.player.userId !== player.userId) {
      throw new RangeError(`slot ${player.slot} of room ${this.roomId} belongs to another player`);
    }
    if (!member) {
      member = { player, receivers: new Set(), bits: 0 };
      this.#state = addPlayer(this.#state, player.slot, player.userId);
      this.#members.set(player.slot, member);
      this.#deliver({
        type: GameEvent.playerJoined,
        tick: this.#state.tick,
        slot: player.slot,
        user_id: player.userId,
        nickname: player.nickname,
        color: player.color,
      });
    }
    const { inputBudget, inputQueueLimit } = this.#options.settings;
    const receiver: Receiver = {
      link,
      member,
      inputs: new InputStream({ budget: inputBudget, queueLimit: inputQueueLimit, clock: this.#options.clock }),
    };
    member.receivers.add(receiver);
    this.#receivers.set(link.id, receiver);
    link.sendEvent(this.#sync());
  }

  /** A tab leaves; the player's ship goes with their last tab. False when the link was not here. */
  leave(linkId: string): boolean {
    const receiver = this.#receivers.get(linkId);
    if (!receiver) return false;
    this.#receivers.delete(linkId);
    addInputCounts(this.#departedInputs, receiver.inputs.counts);
    const { member } = receiver;
    member.receivers.delete(receiver);
    if (member.receivers.size === 0) {
      const { slot, userId } = member.player;
      this.#members.delete(slot);
      this.#state = removePlayer(this.#state, slot);
      this.#deliver({ type: GameEvent.playerLeft, tick: this.#state.tick, slot, user_id: userId });
    }
    return true;
  }

  /** One raw INPUT message from a link, whichever path it came on; undefined for an unknown link. */
  submitInput(linkId: string, data: ArrayBuffer | ArrayBufferView): InputVerdict | undefined {
    return this.#receivers.get(linkId)?.inputs.offer(data);
  }

  /**
   * Sends the link a fresh `sync`: its transport changed, and events in flight on the old path
   * may be lost or arrive late. Events are set-like (spawn, collect, set score), so applying one
   * the sync already covers is harmless; the client drops events older than the sync's tick.
   */
  resync(linkId: string): void {
    this.#receivers.get(linkId)?.link.sendEvent(this.#sync());
  }

  advance(): void {
    const { clock } = this.#options;
    const startedAt = clock();
    const due = this.#ticks.due(startedAt);
    if (due === 0) return;
    for (let i = 0; i < due; i++) {
      this.#tick();
      // A catch-up after a late wake still sends every snapshot tick it runs, oldest first: the
      // client interpolates by tick, so a state that arrives a few ms late still fills its place
      // in the timeline, where a skipped one would leave a gap. maxCatchUpTicks bounds the burst.
      if (isSnapshotTick(this.#state.tick, this.#options.settings.rates)) this.#sendSnapshot();
    }
    const msPerTick = (clock() - startedAt) / due;
    this.#maxTickMs = Math.max(this.#maxTickMs, msPerTick);
    this.#options.listener.advanced?.(msPerTick, due);
  }

  msUntilNextTick(): number {
    return this.#ticks.msUntilNext(this.#options.clock());
  }

  stats(): RoomSimulationStats {
    const inputs = addInputCounts(emptyInputCounts(), this.#departedInputs);
    for (const receiver of this.#receivers.values()) addInputCounts(inputs, receiver.inputs.counts);
    return {
      tick: this.#state.tick,
      phase: this.#phase,
      players: this.#members.size,
      links: this.#receivers.size,
      skippedTicks: this.#ticks.skipped,
      snapshots: { ...this.#broadcaster.counts },
      inputs,
      maxTickMs: this.#maxTickMs,
    };
  }

  /** The ack a link's snapshots carry now (tests and diagnostics). */
  ackSeqOf(linkId: string): number | undefined {
    return this.#receivers.get(linkId)?.inputs.ackSeq;
  }

  #tick(): void {
    const inputs: number[] = [];
    for (const member of this.#members.values()) {
      const atRest = isAtRest(this.#state.players, member.player.slot);
      for (const receiver of member.receivers) {
        const input = receiver.inputs.takeNext(atRest);
        if (input) member.bits = input.bits;
      }
      inputs[member.player.slot] = member.bits;
    }
    const { timing, rates } = this.#options.settings;
    const { state, events } = step(this.#state, inputs, 1 / rates.tickHz, { timing });
    this.#state = state;
    for (const event of events) {
      if (event.type === GameEvent.roundEnded) this.#finishRound(event);
      this.#deliver(event);
    }
    if (state.round.phase !== this.#phase) {
      this.#phase = state.round.phase;
      this.#options.listener.phaseChanged(this.#phase);
    }
  }

  #sendSnapshot(): void {
    const receivers = [...this.#receivers.values()].map(({ link, inputs }) => ({ link, ackSeq: inputs.ackSeq }));
    this.#broadcaster.broadcast(this.#state, toWireTime(this.#options.clock()), receivers);
  }

  #finishRound(event: RoundEndedEvent): void {
    const winners = new Set(event.winners);
    this.#options.listener.roundFinished({
      roomId: this.roomId,
      round: event.round,
      endedAt: this.#options.wallClock(),
      players: event.results.map((result) => ({
        userId: result.user_id,
        nickname: this.#members.get(result.slot)?.player.nickname ?? result.user_id,
        slot: result.slot,
        score: result.score,
        won: winners.has(result.slot),
      })),
    });
  }

  #sync(): SyncEvent {
    const { tick, round, stars, players } = this.#state;
    return {
      type: GameEvent.sync,
      tick,
      round: { phase: round.phase, round: round.round, remaining_ms: Math.round(round.remaining * 1000) },
      stars,
      players: players.map((ship) => {
        const player = this.#members.get(ship.slot)?.player;
        return {
          slot: ship.slot,
          user_id: ship.id,
          nickname: player?.nickname ?? ship.id,
          color: player?.color ?? '#ffffff',
          score: ship.score,
        };
      }),
      tick_hz: this.#options.settings.rates.tickHz,
      snapshot_hz: this.#options.settings.rates.snapshotHz,
    };
  }

  #deliver(event: GameEventMessage): void {
    for (const receiver of this.#receivers.values()) receiver.link.sendEvent(event);
  }
}

/** Whether the ship in `slot` stands still: a tick with no keys would leave it where it is. */
function isAtRest(players: readonly PlayerState[], slot: number): boolean {
  for (let i = 0; i < players.length; i++) {
    const player = players[i];
    if (player?.slot === slot) return player.vx === 0 && player.vy === 0;
  }
  return false;
}
