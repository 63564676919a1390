import { circleOverlapsAny, type Rect } from './collision.ts';
import { ARENA_HEIGHT, ARENA_WIDTH, WALL_THICKNESS } from './constants.ts';

/** A point in world units. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** The static level: where the walls are and where each slot's ship appears. */
export interface ArenaMap {
  readonly width: number;
  readonly height: number;
  /** Outer walls first, then the interior ones. */
  readonly walls: readonly Rect[];
  /** One per player slot (index = slot), MAX_PLAYERS_LIMIT of them. */
  readonly spawnPoints: readonly Point[];
}

const W = ARENA_WIDTH;
const H = ARENA_HEIGHT;
const T = WALL_THICKNESS;

/**
 * The arena. Point-symmetric around the centre so that no slot starts with an advantage; every gap
 * is far wider than a ship. Coordinates are whole units, so a ship resting on a face stays on the
 * position grid.
 */
export const ARENA_MAP: ArenaMap = Object.freeze({
  width: W,
  height: H,
  walls: Object.freeze([
    // Outer walls, inside the bounds so positions stay non-negative for the codec.
    { x: 0, y: 0, width: W, height: T },
    { x: 0, y: H - T, width: W, height: T },
    { x: 0, y: 0, width: T, height: H },
    { x: W - T, y: 0, width: T, height: H },
    // The centre block, with a bar above and below it: stars between them are contested.
    { x: 736, y: 436, width: 128, height: 128 },
    { x: 600, y: 220, width: 400, height: 32 },
    { x: 600, y: 748, width: 400, height: 32 },
    // Side bars screening the left and right lanes.
    { x: 300, y: 320, width: 32, height: 360 },
    { x: 1268, y: 320, width: 32, height: 360 },
    // Corner pillars to steer around.
    { x: 160, y: 160, width: 64, height: 64 },
    { x: 1376, y: 160, width: 64, height: 64 },
    { x: 160, y: 776, width: 64, height: 64 },
    { x: 1376, y: 776, width: 64, height: 64 },
  ]),
  // Ordered so that the first few players start far apart: corners, then edge midpoints, then inside.
  // Slots 2k and 2k+1 mirror each other through the centre.
  spawnPoints: Object.freeze([
    { x: 100, y: 100 },
    { x: 1500, y: 900 },
    { x: 1500, y: 100 },
    { x: 100, y: 900 },
    { x: 800, y: 120 },
    { x: 800, y: 880 },
    { x: 180, y: 500 },
    { x: 1420, y: 500 },
    { x: 480, y: 120 },
    { x: 1120, y: 880 },
    { x: 1120, y: 120 },
    { x: 480, y: 880 },
    { x: 560, y: 500 },
    { x: 1040, y: 500 },
    { x: 800, y: 344 },
    { x: 800, y: 656 },
  ]),
});

/** Where a slot's ship appears. */
export function spawnPointFor(map: ArenaMap, slot: number): Point {
  const point = map.spawnPoints[slot];
  if (!point) throw new RangeError(`map has no spawn point for slot ${slot}`);
  return point;
}

/** True when a circle fits at (x, y): inside the arena bounds and clear of every wall. */
export function isFreeSpot(map: ArenaMap, x: number, y: number, radius: number): boolean {
  if (x < radius || y < radius || x > map.width - radius || y > map.height - radius) return false;
  return !circleOverlapsAny(x, y, radius, map.walls);
}
