import { Direction, encodeInput, GameEvent, type RoomState, TICK_RATE } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { RoomSimulations } from '../../src/game/room-simulations.ts';
import { DEFAULT_SIMULATION_SETTINGS } from '../../src/game/simulation-settings.ts';
import { FakeClock, FakeLink, FakeScheduler } from './fakes.ts';

function registry() {
  const clock = new FakeClock();
  const scheduler = new FakeScheduler(clock);
  const phases: [string, RoomState][] = [];
  const games = new RoomSimulations({
    settings: DEFAULT_SIMULATION_SETTINGS,
    phaseChanged: (roomId, phase) => phases.push([roomId, phase]),
    roundFinished: () => {},
    tickFailed: (_roomId, error) => {
      throw error;
    },
    clock: clock.read,
    scheduler,
    seed: () => 7,
  });
  return { clock, scheduler, phases, games };
}

const ada = { userId: 'u-ada', nickname: 'Ada', color: '#ff6b6b', slot: 0 };

describe('RoomSimulations', () => {
  it('starts a room ticking with its first link and stops it with its last, back to waiting', () => {
    const { clock, scheduler, phases, games } = registry();
    const link = new FakeLink('a');
    games.join('r1', ada, link);
    expect(games.size).toBe(1);
    games.submitInput('a', encodeInput({ seq: 1, bits: Direction.up, clientTime: 0 }));

    scheduler.runUntil(1000);
    expect(games.get('r1')?.state.tick).toBe(TICK_RATE);
    expect(link.snapshots.at(-1)?.ackSeq).toBe(1);
    expect(phases).toEqual([['r1', 'playing']]);

    games.leave('a');
    expect(games.size).toBe(0);
    expect(scheduler.pending).toBe(0);
    expect(phases).toEqual([
      ['r1', 'playing'],
      ['r1', 'waiting'],
    ]);
    // Unknown links are ignored, not errors: a channel may end before or after its room.
    games.leave('a');
    expect(games.submitInput('a', encodeInput({ seq: 2, bits: 0, clientTime: 0 }))).toBeUndefined();
    clock.advanceTicks(10);
  });

  it('routes resync to the link’s room, and a refused join leaves nothing ticking', () => {
    const { scheduler, games } = registry();
    const link = new FakeLink('a');
    games.join('r1', ada, link);
    games.resync('a');
    expect(link.eventsOfType(GameEvent.sync)).toHaveLength(2);
    expect(() => games.join('r1', { ...ada, userId: 'u-other' }, new FakeLink('x'))).toThrow(RangeError);
    expect(games.size).toBe(1);

    games.dispose();
    expect(scheduler.pending).toBe(0);
    expect(games.size).toBe(0);
  });
});
