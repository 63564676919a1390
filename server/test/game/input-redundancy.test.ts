import { Direction, encodeInput, GameEvent, type GameRates } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { InputStream, InputVerdict } from '../../src/game/input-stream.ts';
import { RoomSimulation } from '../../src/game/room-simulation.ts';
import { DEFAULT_SIMULATION_SETTINGS } from '../../src/game/simulation-settings.ts';
import { FakeClock, FakeLink } from './fakes.ts';

/** Input `seq` as the client sends it: with the bits of the `history` inputs before it, newest first. */
const input = (seq: number, bits: number, earlier: number[] = []) => encodeInput({ seq, bits, clientTime: 0, earlier });

function stream() {
  return new InputStream({ budget: { burst: 30, perSecond: 60 }, queueLimit: 8, clock: new FakeClock().read });
}

function drain(inputs: InputStream): { seq: number; bits: number }[] {
  const taken: { seq: number; bits: number }[] = [];
  for (let next = inputs.takeNext(); next; next = inputs.takeNext()) taken.push({ seq: next.seq, bits: next.bits });
  return taken;
}

describe('InputStream: input redundancy', () => {
  it('takes a lost input from the next message’s history, in order, once', () => {
    const inputs = stream();
    const { up, right, down } = Direction;
    expect(inputs.offer(input(1, up))).toBe(InputVerdict.queued);
    // Message 2 is lost; message 3 carries 2 and 1.
    expect(inputs.offer(input(3, down, [right, up]))).toBe(InputVerdict.queued);
    expect(drain(inputs)).toEqual([
      { seq: 1, bits: up },
      { seq: 2, bits: right },
      { seq: 3, bits: down },
    ]);
    expect(inputs.counts).toMatchObject({ queued: 2, recovered: 1 });
  });

  it('deduplicates by seq: the late original of a recovered input is stale, and so is a repeat', () => {
    const inputs = stream();
    inputs.offer(input(5, 1, [2, 2]));
    expect(inputs.offer(input(4, 2, [2]))).toBe(InputVerdict.stale);
    expect(inputs.offer(input(5, 1, [2, 2]))).toBe(InputVerdict.stale);
    expect(inputs.offer(input(6, 1, [1, 2, 2]))).toBe(InputVerdict.queued);
    expect(drain(inputs).map((taken) => taken.seq)).toEqual([3, 4, 5, 6]);
    expect(inputs.ackSeq).toBe(6);
  });

  it('still takes plain 11-byte inputs from older clients', () => {
    const inputs = stream();
    expect(inputs.offer(encodeInput({ seq: 1, bits: 4, clientTime: 0 }))).toBe(InputVerdict.queued);
    expect(drain(inputs)).toEqual([{ seq: 1, bits: 4 }]);
  });
});

describe('RoomSimulation at other rates', () => {
  function simulate(rates: GameRates) {
    const clock = new FakeClock();
    const simulation = new RoomSimulation({
      roomId: 'r1',
      seed: 1,
      settings: { ...DEFAULT_SIMULATION_SETTINGS, rates },
      clock: clock.read,
      wallClock: () => 0,
      listener: { phaseChanged: () => {}, roundFinished: () => {} },
    });
    const link = new FakeLink('a');
    simulation.join({ userId: 'u', nickname: 'Ada', color: '#ff6b6b', slot: 0 }, link);
    for (let ms = 1; ms <= 1000; ms++) {
      clock.now = ms;
      simulation.advance();
    }
    return { simulation, link };
  }

  it('announces its rates in the sync and keeps them for a second of play', () => {
    for (const rates of [
      { tickHz: 30, snapshotHz: 20 },
      { tickHz: 30, snapshotHz: 30 },
      { tickHz: 60, snapshotHz: 30 },
    ]) {
      const { simulation, link } = simulate(rates);
      expect(link.eventsOfType(GameEvent.sync)[0]).toMatchObject({
        tick_hz: rates.tickHz,
        snapshot_hz: rates.snapshotHz,
      });
      expect(simulation.state.tick).toBe(rates.tickHz);
      expect(link.snapshots).toHaveLength(rates.snapshotHz);
    }
  });

  it('moves a ship as far in a second at 60 Hz as at 30 Hz, to within the drag’s step-size effect', () => {
    const distance = (tickHz: number) => {
      const clock = new FakeClock();
      const simulation = new RoomSimulation({
        roomId: 'r1',
        seed: 1,
        settings: { ...DEFAULT_SIMULATION_SETTINGS, rates: { tickHz, snapshotHz: 20 } },
        clock: clock.read,
        wallClock: () => 0,
        listener: { phaseChanged: () => {}, roundFinished: () => {} },
      });
      simulation.join({ userId: 'u', nickname: 'Ada', color: '#ff6b6b', slot: 0 }, new FakeLink('a'));
      const start = simulation.state.players[0]?.x ?? 0;
      // The simulation holds the last direction until another input comes: one input steers for good.
      simulation.submitInput('a', input(1, Direction.right));
      for (let ms = 1; ms <= 500; ms++) {
        clock.now = ms;
        simulation.advance();
      }
      return (simulation.state.players[0]?.x ?? 0) - start;
    };
    const at30 = distance(30);
    const at60 = distance(60);
    expect(at30).toBeGreaterThan(100);
    expect(Math.abs(at60 - at30) / at30).toBeLessThan(0.1);
  });
});
