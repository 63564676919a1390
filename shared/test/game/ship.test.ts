import { describe, expect, it } from 'vitest';
import { ARENA_MAP, type ArenaMap } from '../../src/game/arena-map.ts';
import { circleOverlapsAny } from '../../src/game/collision.ts';
import {
  MAX_STEP_SECONDS,
  POSITION_SCALE,
  SHIP_MAX_SPEED,
  SHIP_RADIUS,
  TICK_SECONDS,
  VELOCITY_SCALE,
} from '../../src/game/constants.ts';
import { DIRECTION_MASK, Direction } from '../../src/game/input.ts';
import { SeededRandom } from '../../src/game/random.ts';
import { type ShipState, stepShip } from '../../src/game/ship.ts';

const { up, down, left, right } = Direction;

function hold(ship: ShipState, bits: number, ticks: number, map?: ArenaMap): ShipState {
  let current = ship;
  for (let i = 0; i < ticks; i++) current = stepShip(current, bits, TICK_SECONDS, map);
  return current;
}

const speed = (ship: ShipState) => Math.sqrt(ship.vx * ship.vx + ship.vy * ship.vy);
const atRest = (x: number, y: number): ShipState => ({ x, y, vx: 0, vy: 0 });
// y = 120 is an open lane from wall to wall along the top of the arena.
const lane = atRest(100, 120);

describe('stepShip', () => {
  it('accelerates from rest by thrust × dt, on the snapshot grid', () => {
    // v = 2400/30 = 80; x += 80/30 = 2.667, rounded to 1/32.
    expect(stepShip(lane, right, TICK_SECONDS)).toEqual({ x: 102.65625, y: 120, vx: 80, vy: 0 });
    expect(stepShip(lane, up, TICK_SECONDS)).toEqual({ x: 100, y: 117.34375, vx: 0, vy: -80 });
  });

  it('reaches the speed cap and holds it exactly', () => {
    const ship = hold(lane, right, 8);
    expect(ship.vx).toBe(SHIP_MAX_SPEED);
    const later = hold(ship, right, 20);
    expect(later.vx).toBe(SHIP_MAX_SPEED);
    expect(later.vy).toBe(0);
  });

  it('is no faster on a diagonal than along an axis', () => {
    const start = atRest(400, 120);
    const diagonal = hold(start, down | right, 10);
    const straight = hold(start, right, 10);
    expect(diagonal.vx).toBe(diagonal.vy);
    expect(speed(diagonal)).toBeLessThanOrEqual(SHIP_MAX_SPEED);
    expect(speed(diagonal)).toBeGreaterThan(SHIP_MAX_SPEED - 0.05);
    const travelled = Math.hypot(diagonal.x - start.x, diagonal.y - start.y);
    expect(Math.abs(travelled - (straight.x - start.x))).toBeLessThan(0.1);
  });

  it('never exceeds the cap in any direction, from any speed', () => {
    for (let bits = 0; bits <= DIRECTION_MASK; bits++) {
      const ship = hold({ x: 800, y: 660, vx: 300, vy: -300 }, bits, 3);
      expect(speed(ship)).toBeLessThanOrEqual(SHIP_MAX_SPEED);
    }
  });

  it('coasts to a dead stop within a second of releasing the keys', () => {
    const moving = hold(lane, right, 10);
    const stopped = hold(moving, 0, 30);
    expect(stopped.vx).toBe(0);
    expect(hold(stopped, 0, 5)).toEqual(stopped);
  });

  it('treats opposite keys as none', () => {
    expect(stepShip(lane, up | down, TICK_SECONDS)).toEqual(lane);
  });

  it('slides along a wall when steering diagonally into it', () => {
    // Resting against the top wall (inner face y = 32), holding up + right.
    const ship = hold(atRest(400, 48), up | right, 30);
    expect(ship.y).toBe(48);
    expect(ship.vy).toBe(0);
    // Only the along-wall half of the thrust counts: terminal speed 2400·√½/6 ≈ 282.8.
    expect(ship.vx).toBeGreaterThan(280);
    expect(ship.x).toBeGreaterThan(600);
  });

  it('does not tunnel through a wall at full speed with a large dt', () => {
    // The right side bar spans x 1268..1300: from x 1420 a 1 s step would move 320 units.
    const result = stepShip({ x: 1420, y: 500, vx: -SHIP_MAX_SPEED, vy: 0 }, left, MAX_STEP_SECONDS);
    expect(result).toEqual({ x: 1300 + SHIP_RADIUS, y: 500, vx: 0, vy: 0 });
  });

  it('does not tunnel through a wall 1 unit thin, even with dt beyond the clamp', () => {
    const map: ArenaMap = {
      ...ARENA_MAP,
      walls: [...ARENA_MAP.walls.slice(0, 4), { x: 700, y: 32, width: 1, height: 936 }],
    };
    for (const dt of [0.25, 1, 30]) {
      const result = stepShip({ x: 650, y: 900, vx: SHIP_MAX_SPEED, vy: 0 }, right, dt, map);
      expect(result.x).toBe(700 - SHIP_RADIUS);
    }
  });

  it('lets drag stop a coasting ship over a long dt, never reverse it', () => {
    expect(stepShip({ x: 800, y: 120, vx: SHIP_MAX_SPEED, vy: 0 }, 0, 0.5)).toEqual(atRest(800, 120));
  });

  it('clamps a long dt to MAX_STEP_SECONDS', () => {
    const ship = { x: 100, y: 500, vx: 0, vy: -SHIP_MAX_SPEED };
    expect(stepShip(ship, up, 60)).toEqual(stepShip(ship, up, MAX_STEP_SECONDS));
  });

  it('leaves the ship as it is for dt ≤ 0 or NaN', () => {
    const ship = { x: 100, y: 120, vx: 50, vy: 0 };
    expect(stepShip(ship, right, 0)).toBe(ship);
    expect(stepShip(ship, right, -1)).toBe(ship);
    expect(stepShip(ship, right, Number.NaN)).toBe(ship);
  });

  it('stays on the grid, inside the arena and out of every wall under random steering', () => {
    const random = new SeededRandom(2024);
    let ship = atRest(ARENA_MAP.spawnPoints[0]?.x ?? 0, ARENA_MAP.spawnPoints[0]?.y ?? 0);
    let bits = 0;
    for (let tick = 0; tick < 3000; tick++) {
      if (tick % 20 === 0) bits = random.int(0, DIRECTION_MASK);
      ship = stepShip(ship, bits, TICK_SECONDS);
      expect(Number.isInteger(ship.x * POSITION_SCALE) && Number.isInteger(ship.y * POSITION_SCALE)).toBe(true);
      expect(Number.isInteger(ship.vx * VELOCITY_SCALE) && Number.isInteger(ship.vy * VELOCITY_SCALE)).toBe(true);
      // Rounding to the grid may leave a ship up to 1/64 unit into a corner, never more.
      expect(circleOverlapsAny(ship.x, ship.y, SHIP_RADIUS - 1 / 32, ARENA_MAP.walls)).toBe(false);
    }
  });

  it('is deterministic: the same inputs replay to the same bits', () => {
    const bitsAt = (tick: number) => [right, right | down, down, left | up, 0, up][Math.floor(tick / 17) % 6] ?? 0;
    const run = () => {
      let ship = lane;
      for (let tick = 0; tick < 500; tick++) ship = stepShip(ship, bitsAt(tick), TICK_SECONDS);
      return ship;
    };
    expect(run()).toEqual(run());
  });
});
