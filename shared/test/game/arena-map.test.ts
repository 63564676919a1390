import { describe, expect, it } from 'vitest';
import { ARENA_MAP, isFreeSpot, spawnPointFor } from '../../src/game/arena-map.ts';
import { ARENA_HEIGHT, ARENA_WIDTH, SHIP_RADIUS, WALL_THICKNESS } from '../../src/game/constants.ts';
import { MAX_PLAYERS_LIMIT } from '../../src/room.ts';

describe('ARENA_MAP', () => {
  it('covers the arena size and has a spawn point for every slot of the largest room', () => {
    expect(ARENA_MAP.width).toBe(ARENA_WIDTH);
    expect(ARENA_MAP.height).toBe(ARENA_HEIGHT);
    expect(ARENA_MAP.spawnPoints).toHaveLength(MAX_PLAYERS_LIMIT);
  });

  it('keeps every wall inside the bounds, in whole units', () => {
    for (const wall of ARENA_MAP.walls) {
      expect(wall.x >= 0 && wall.y >= 0 && wall.width > 0 && wall.height > 0).toBe(true);
      expect(wall.x + wall.width <= ARENA_WIDTH && wall.y + wall.height <= ARENA_HEIGHT).toBe(true);
      expect([wall.x, wall.y, wall.width, wall.height].every(Number.isInteger)).toBe(true);
    }
  });

  it('is closed by outer walls', () => {
    const t = WALL_THICKNESS;
    expect(isFreeSpot(ARENA_MAP, t + SHIP_RADIUS, t + SHIP_RADIUS, SHIP_RADIUS)).toBe(true);
    expect(isFreeSpot(ARENA_MAP, t + SHIP_RADIUS - 1, 500, SHIP_RADIUS)).toBe(false);
    expect(isFreeSpot(ARENA_MAP, ARENA_WIDTH - t - SHIP_RADIUS + 1, 500, SHIP_RADIUS)).toBe(false);
    expect(isFreeSpot(ARENA_MAP, 500, t + SHIP_RADIUS - 1, SHIP_RADIUS)).toBe(false);
    expect(isFreeSpot(ARENA_MAP, 500, ARENA_HEIGHT - t - SHIP_RADIUS + 1, SHIP_RADIUS)).toBe(false);
  });

  it('is point-symmetric about the centre, so no slot has an advantage', () => {
    const key = (r: { x: number; y: number; width: number; height: number }) => `${r.x},${r.y},${r.width},${r.height}`;
    const walls = new Set(ARENA_MAP.walls.map(key));
    for (const wall of ARENA_MAP.walls) {
      const mirrored = {
        x: ARENA_WIDTH - wall.x - wall.width,
        y: ARENA_HEIGHT - wall.y - wall.height,
        width: wall.width,
        height: wall.height,
      };
      expect(walls.has(key(mirrored))).toBe(true);
    }
    for (let slot = 0; slot < MAX_PLAYERS_LIMIT; slot += 2) {
      const a = spawnPointFor(ARENA_MAP, slot);
      const b = spawnPointFor(ARENA_MAP, slot + 1);
      expect({ x: ARENA_WIDTH - a.x, y: ARENA_HEIGHT - a.y }).toEqual(b);
    }
  });

  it('puts every spawn point on a free spot, well apart from the others', () => {
    const points = ARENA_MAP.spawnPoints;
    for (const [i, point] of points.entries()) {
      expect(isFreeSpot(ARENA_MAP, point.x, point.y, SHIP_RADIUS + 8), `slot ${i}`).toBe(true);
      for (const other of points.slice(i + 1)) {
        expect(Math.hypot(point.x - other.x, point.y - other.y)).toBeGreaterThan(4 * SHIP_RADIUS);
      }
    }
  });

  it('has no spawn point beyond the largest room', () => {
    expect(() => spawnPointFor(ARENA_MAP, MAX_PLAYERS_LIMIT)).toThrow(RangeError);
  });

  it('tells free spots from walls', () => {
    expect(isFreeSpot(ARENA_MAP, 800, 500, 1)).toBe(false); // the centre block
    expect(isFreeSpot(ARENA_MAP, 800, 600, SHIP_RADIUS)).toBe(true);
    expect(isFreeSpot(ARENA_MAP, 800, 580, SHIP_RADIUS)).toBe(true); // touching is fine
    expect(isFreeSpot(ARENA_MAP, 800, 579, SHIP_RADIUS)).toBe(false); // overlapping is not
  });
});
