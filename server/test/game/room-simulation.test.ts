import {
  Direction,
  encodeInput,
  GameEvent,
  isSnapshotTick,
  type RoomState,
  SNAPSHOT_RATE,
  TICK_RATE,
} from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { InputVerdict, STANDING_BACKLOG_TICKS } from '../../src/game/input-stream.ts';
import { type RoomPlayer, RoomSimulation } from '../../src/game/room-simulation.ts';
import type { FinishedRound } from '../../src/game/round-results.ts';
import { DEFAULT_SIMULATION_SETTINGS, type SimulationSettings } from '../../src/game/simulation-settings.ts';
import { FakeClock, FakeLink } from './fakes.ts';

const ada: RoomPlayer = { userId: 'u-ada', nickname: 'Ada', color: '#ff6b6b', slot: 0 };
const bo: RoomPlayer = { userId: 'u-bo', nickname: 'Bo', color: '#4d96ff', slot: 1 };

/** 1 s rounds and 0.5 s intermissions: a whole cycle in 45 ticks. */
const SHORT_ROUNDS: SimulationSettings = {
  ...DEFAULT_SIMULATION_SETTINGS,
  timing: { roundSeconds: 1, intermissionSeconds: 0.5 },
};

function room(settings: SimulationSettings = DEFAULT_SIMULATION_SETTINGS, seed = 42) {
  const clock = new FakeClock();
  const phases: RoomState[] = [];
  const rounds: FinishedRound[] = [];
  const simulation = new RoomSimulation({
    roomId: 'r1',
    seed,
    settings,
    clock: clock.read,
    wallClock: () => 1_700_000_000_000,
    listener: { phaseChanged: (phase) => phases.push(phase), roundFinished: (round) => rounds.push(round) },
  });
  /** Moves the clock on by `ticks` ticks and lets the simulation run what is due. */
  const run = (ticks: number) => {
    for (let i = 0; i < ticks; i++) {
      clock.advanceTicks(1);
      simulation.advance();
    }
  };
  return { clock, simulation, phases, rounds, run };
}

const input = (seq: number, bits: number) => encodeInput({ seq, bits, clientTime: 0 });

describe('RoomSimulation: inputs', () => {
  it('applies one input per tick in sequence order, and each snapshot acknowledges the last applied', () => {
    const { simulation, run } = room();
    const link = new FakeLink('a');
    simulation.join(ada, link);
    const start = simulation.state.players[0];
    for (let seq = 1; seq <= 3; seq++) simulation.submitInput('a', input(seq, Direction.right));

    run(2); // two inputs applied; tick 2 is a snapshot tick
    expect(simulation.ackSeqOf('a')).toBe(2);
    expect(link.lastSnapshot).toMatchObject({ tick: 2, ackSeq: 2 });
    run(1);
    expect(link.lastSnapshot).toMatchObject({ tick: 3, ackSeq: 3 });
    const moved = link.lastSnapshot?.players[0];
    expect(moved?.x).toBeGreaterThan(start?.x ?? Number.POSITIVE_INFINITY);
    expect(moved?.y).toBe(start?.y);
  });

  it('holds the last direction through ticks with no input, without acknowledging anything new', () => {
    const { simulation, run } = room();
    const link = new FakeLink('a');
    simulation.join(ada, link);
    simulation.submitInput('a', input(1, Direction.down));
    run(6);
    const [first, last] = [link.snapshots[0], link.lastSnapshot];
    expect(last?.ackSeq).toBe(1);
    expect(last?.players[0]?.y).toBeGreaterThan(first?.players[0]?.y ?? Number.POSITIVE_INFINITY);
  });

  it('drops stale and duplicate sequence numbers; they are never applied', () => {
    const { simulation, run } = room();
    simulation.join(ada, new FakeLink('a'));
    expect(simulation.submitInput('a', input(10, Direction.left))).toBe(InputVerdict.queued);
    expect(simulation.submitInput('a', input(10, Direction.right))).toBe(InputVerdict.stale);
    expect(simulation.submitInput('a', input(9, Direction.right))).toBe(InputVerdict.stale);
    run(3);
    expect(simulation.ackSeqOf('a')).toBe(10);
    expect(simulation.state.players[0]?.vx).toBeLessThan(0);
    expect(simulation.stats().inputs).toMatchObject({ queued: 1, stale: 2 });
  });

  it('trims a standing input backlog at a free moment: no keys on a ship at rest, so nothing moves', () => {
    const { simulation, clock } = room();
    const link = new FakeLink('a');
    simulation.join(ada, link);
    const spawn = simulation.state.players[0];
    let seq = 0;
    simulation.submitInput('a', input(++seq, 0)); // one input more than the tick needs, for good
    for (let tick = 0; tick < 2 * STANDING_BACKLOG_TICKS; tick++) {
      simulation.submitInput('a', input(++seq, 0));
      clock.advanceTicks(1);
      simulation.advance();
    }
    expect(simulation.stats().inputs.trimmed).toBe(1);
    expect(simulation.ackSeqOf('a')).toBe(seq);
    expect(simulation.state.players[0]).toMatchObject({ x: spawn?.x, y: spawn?.y, vx: 0, vy: 0 });
  });

  it('drops and counts inputs beyond the per-link budget', () => {
    const settings = { ...DEFAULT_SIMULATION_SETTINGS, inputBudget: { burst: 5, perSecond: 40 } };
    const { simulation } = room(settings);
    simulation.join(ada, new FakeLink('a'));
    const verdicts = Array.from({ length: 8 }, (_, i) => simulation.submitInput('a', input(i + 1, 0)));
    expect(verdicts.filter((v) => v === InputVerdict.rateLimited)).toHaveLength(3);
    expect(simulation.stats().inputs.rate_limited).toBe(3);
  });

  it('answers undefined for a link that is not in the room', () => {
    const { simulation } = room();
    expect(simulation.submitInput('nobody', input(1, 0))).toBeUndefined();
  });
});

describe('RoomSimulation: snapshots', () => {
  it('sends 20 snapshots per 30 ticks, one message per receiver, each with its own ack', () => {
    const { simulation, run } = room();
    const [a, b] = [new FakeLink('a'), new FakeLink('b')];
    simulation.join(ada, a);
    simulation.join(bo, b);
    simulation.submitInput('a', input(7, 0));
    run(TICK_RATE);
    expect(a.snapshots).toHaveLength(SNAPSHOT_RATE);
    expect(b.snapshots).toHaveLength(SNAPSHOT_RATE);
    expect(a.lastSnapshot?.ackSeq).toBe(7);
    expect(b.lastSnapshot?.ackSeq).toBe(0);
    expect(a.lastSnapshot?.players.map((p) => p.slot)).toEqual([0, 1]);
    // Separate copies: a transport may keep the buffer it was given.
    expect(a.buffers[0]?.buffer).not.toBe(b.buffers[0]?.buffer);
    expect(simulation.stats().snapshots).toMatchObject({ snapshots: SNAPSHOT_RATE, sent: 2 * SNAPSHOT_RATE });
  });

  it('counts the snapshots a backed-up link skipped and keeps sending to the others', () => {
    const { simulation, run } = room();
    const [a, b] = [new FakeLink('a'), new FakeLink('b')];
    simulation.join(ada, a);
    simulation.join(bo, b);
    b.backedUp = true;
    run(3);
    expect(a.snapshots).toHaveLength(2);
    expect(simulation.stats().snapshots).toMatchObject({ sent: 2, skipped: 2 });
  });

  it('after a stall runs at most maxCatchUpTicks ticks and sends each of their snapshots, oldest first', () => {
    const { clock, simulation } = room();
    const link = new FakeLink('a');
    simulation.join(ada, link);
    clock.advanceTicks(TICK_RATE); // a whole second without a wake-up
    simulation.advance();
    const { maxCatchUpTicks, rates } = DEFAULT_SIMULATION_SETTINGS;
    expect(simulation.state.tick).toBe(maxCatchUpTicks);
    expect(simulation.stats().skippedTicks).toBe(TICK_RATE - maxCatchUpTicks);
    const snapshotTicks = Array.from({ length: maxCatchUpTicks }, (_, i) => i + 1).filter((tick) =>
      isSnapshotTick(tick, rates),
    );
    expect(snapshotTicks.length).toBeGreaterThan(1);
    expect(link.snapshots.map((s) => s.tick)).toEqual(snapshotTicks);
  });

  it('a late wake sends both snapshot ticks it ran instead of merging them', () => {
    const { clock, simulation } = room();
    const link = new FakeLink('a');
    simulation.join(ada, link);
    clock.advanceTicks(3); // at 30/20, ticks 2 and 3 both carry a snapshot
    simulation.advance();
    expect(link.snapshots.map((s) => s.tick)).toEqual([2, 3]);
  });
});

describe('RoomSimulation: players and events', () => {
  it('sends a joining tab a sync, tells the others, and announces the last tab leaving', () => {
    const { simulation, run } = room();
    const a = new FakeLink('a');
    simulation.join(ada, a);
    run(3);
    const b = new FakeLink('b');
    simulation.join(bo, b);
    const [sync] = b.eventsOfType(GameEvent.sync);
    expect(sync).toMatchObject({
      tick: 3,
      round: { phase: 'playing', round: 1 },
      players: [
        { slot: 0, user_id: 'u-ada', nickname: 'Ada', color: '#ff6b6b', score: 0 },
        { slot: 1, user_id: 'u-bo', nickname: 'Bo', color: '#4d96ff', score: 0 },
      ],
    });
    expect(sync?.stars.length).toBeGreaterThan(0);
    expect(a.eventsOfType(GameEvent.playerJoined)).toEqual([
      { type: GameEvent.playerJoined, tick: 3, slot: 1, user_id: 'u-bo', nickname: 'Bo', color: '#4d96ff' },
    ]);
    expect(b.eventsOfType(GameEvent.playerJoined)).toEqual([]);

    // A second tab of Bo shares his ship; only his last tab leaving removes it.
    const b2 = new FakeLink('b2');
    simulation.join(bo, b2);
    expect(a.eventsOfType(GameEvent.playerJoined)).toHaveLength(1);
    simulation.leave('b');
    expect(a.eventsOfType(GameEvent.playerLeft)).toEqual([]);
    simulation.leave('b2');
    expect(a.eventsOfType(GameEvent.playerLeft)).toEqual([
      { type: GameEvent.playerLeft, tick: 3, slot: 1, user_id: 'u-bo' },
    ]);
    expect(simulation.state.players.map((p) => p.slot)).toEqual([0]);
  });

  it('refuses a second player in a taken slot', () => {
    const { simulation } = room();
    simulation.join(ada, new FakeLink('a'));
    expect(() => simulation.join({ ...bo, slot: 0 }, new FakeLink('b'))).toThrow(RangeError);
  });

  it('resends a sync on request (after a transport switch)', () => {
    const { simulation, run } = room();
    const a = new FakeLink('a');
    simulation.join(ada, a);
    run(5);
    simulation.resync('a');
    expect(a.eventsOfType(GameEvent.sync).map((sync) => sync.tick)).toEqual([0, 5]);
  });

  it('relays star events as they happen', () => {
    const { simulation, run } = room();
    const a = new FakeLink('a');
    simulation.join(ada, a);
    run(1);
    expect(a.eventsOfType(GameEvent.roundStarted)).toHaveLength(1);
    expect(a.eventsOfType(GameEvent.starSpawned)).toHaveLength(5);
  });
});

describe('RoomSimulation: rounds', () => {
  it('plays a round, ends it with results, stores them, pauses, and starts the next', () => {
    const { simulation, phases, rounds, run } = room(SHORT_ROUNDS);
    const [a, b] = [new FakeLink('a'), new FakeLink('b')];
    simulation.join(ada, a);
    simulation.join(bo, b);

    run(1);
    expect(phases).toEqual(['playing']);
    expect(a.eventsOfType(GameEvent.roundStarted)).toEqual([
      { type: GameEvent.roundStarted, tick: 1, round: 1, duration_ms: 1000 },
    ]);

    run(TICK_RATE); // the 1 s round is over
    expect(phases).toEqual(['playing', 'intermission']);
    const [ended] = a.eventsOfType(GameEvent.roundEnded);
    expect(ended).toMatchObject({ round: 1, next_round_in_ms: 500, winners: [] });
    expect(ended?.results.map((r) => r.user_id)).toEqual(['u-ada', 'u-bo']);
    expect(rounds).toEqual([
      {
        roomId: 'r1',
        round: 1,
        endedAt: 1_700_000_000_000,
        players: [
          { userId: 'u-ada', nickname: 'Ada', slot: 0, score: 0, won: false },
          { userId: 'u-bo', nickname: 'Bo', slot: 1, score: 0, won: false },
        ],
      },
    ]);

    run(TICK_RATE / 2); // the 0.5 s intermission is over
    expect(phases).toEqual(['playing', 'intermission', 'playing']);
    expect(a.eventsOfType(GameEvent.roundStarted).map((e) => e.round)).toEqual([1, 2]);
  });

  it('credits the round to whoever caught stars', () => {
    const roundSeconds = 3;
    // Seed 25 puts the first stars in the open near slot 0's corner, so steering straight at them works.
    const { simulation, rounds, run } = room(
      { ...SHORT_ROUNDS, timing: { roundSeconds, intermissionSeconds: 0.5 } },
      25,
    );
    const a = new FakeLink('a');
    simulation.join(ada, a);
    run(1);
    // Steer straight at the nearest star each tick until two are caught.
    let seq = 0;
    for (let i = 0; i < roundSeconds * TICK_RATE - 2 && a.eventsOfType(GameEvent.starCollected).length < 2; i++) {
      const ship = simulation.state.players[0];
      const star = [...simulation.state.stars].sort(
        (p, q) =>
          Math.hypot(p.x - (ship?.x ?? 0), p.y - (ship?.y ?? 0)) -
          Math.hypot(q.x - (ship?.x ?? 0), q.y - (ship?.y ?? 0)),
      )[0];
      if (!ship || !star) break;
      const bits =
        (star.x > ship.x + 4 ? Direction.right : star.x < ship.x - 4 ? Direction.left : 0) |
        (star.y > ship.y + 4 ? Direction.down : star.y < ship.y - 4 ? Direction.up : 0);
      simulation.submitInput('a', input(++seq, bits));
      run(1);
    }
    const caught = a.eventsOfType(GameEvent.starCollected).length;
    expect(caught).toBe(2);
    expect(a.eventsOfType(GameEvent.scoreChanged).at(-1)).toMatchObject({ slot: 0, score: 2 });
    run(roundSeconds * TICK_RATE);
    expect(rounds).toHaveLength(1);
    expect(rounds[0]?.players[0]).toMatchObject({ userId: 'u-ada', score: 2, won: true });
  });
});
