import { describe, expect, it } from 'vitest';
import { ARENA_MAP, type ArenaMap } from '../../src/game/arena-map.ts';
import { STAR_SPAWN_ATTEMPTS } from '../../src/game/constants.ts';
import type { PlayerState } from '../../src/game/game-state.ts';
import { SeededRandom } from '../../src/game/random.ts';
import { findPickups, findStarSpot, isFreeStarSpot } from '../../src/game/stars.ts';

const ship = (slot: number, x: number, y: number): PlayerState => ({
  slot,
  id: `u${slot}`,
  x,
  y,
  vx: 0,
  vy: 0,
  score: 0,
});

describe('star spots', () => {
  const open = { x: 800, y: 120 };

  it('keep clear of ships by radius + radius + clearance (16 + 12 + 48)', () => {
    expect(isFreeStarSpot(ARENA_MAP, open, [], [])).toBe(true);
    expect(isFreeStarSpot(ARENA_MAP, open, [ship(0, 800 + 76, 120)], [])).toBe(true);
    expect(isFreeStarSpot(ARENA_MAP, open, [ship(0, 800 + 75, 120)], [])).toBe(false);
  });

  it('keep clear of other stars by two radii + margin (12 + 12 + 8)', () => {
    expect(isFreeStarSpot(ARENA_MAP, open, [], [{ id: 1, x: 832, y: 120 }])).toBe(true);
    expect(isFreeStarSpot(ARENA_MAP, open, [], [{ id: 1, x: 831, y: 120 }])).toBe(false);
  });

  it('keep clear of walls by radius + margin (12 + 8)', () => {
    // The top wall's inner face is y = 32.
    expect(isFreeStarSpot(ARENA_MAP, { x: 800, y: 52 }, [], [])).toBe(true);
    expect(isFreeStarSpot(ARENA_MAP, { x: 800, y: 51 }, [], [])).toBe(false);
    expect(isFreeStarSpot(ARENA_MAP, { x: 800, y: 500 }, [], [])).toBe(false); // inside the centre block
  });

  it('are whole-unit free spots drawn from the seeded generator', () => {
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    const spot = findStarSpot(ARENA_MAP, a, [], []);
    expect(spot).toEqual(findStarSpot(ARENA_MAP, b, [], []));
    expect(a.state).toBe(b.state);
    expect(spot && Number.isInteger(spot.x) && Number.isInteger(spot.y)).toBe(true);
    expect(spot && isFreeStarSpot(ARENA_MAP, spot, [], [])).toBe(true);
  });

  it('give up after a bounded number of draws when nothing is free', () => {
    const walled: ArenaMap = { ...ARENA_MAP, walls: [{ x: 0, y: 0, width: 1600, height: 1000 }] };
    const random = new SeededRandom(5);
    const reference = new SeededRandom(5);
    expect(findStarSpot(walled, random, [], [])).toBeNull();
    for (let i = 0; i < 2 * STAR_SPAWN_ATTEMPTS; i++) reference.next();
    expect(random.state).toBe(reference.state);
  });
});

describe('findPickups', () => {
  it('needs the circles to overlap (16 + 12 = 28)', () => {
    const star = { id: 1, x: 500, y: 500 };
    expect(findPickups([ship(0, 527, 500)], [star])).toEqual([{ star, slot: 0 }]);
    expect(findPickups([ship(0, 528, 500)], [star])).toEqual([]);
  });
});
