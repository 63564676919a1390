import { type ArenaMap, isFreeSpot, type Point } from './arena-map.ts';
import { SHIP_RADIUS, STAR_RADIUS, STAR_SHIP_CLEARANCE, STAR_SPAWN_ATTEMPTS, STAR_SPAWN_MARGIN } from './constants.ts';
import type { PlayerState, Star } from './game-state.ts';
import type { SeededRandom } from './random.ts';
import type { ShipState } from './ship.ts';

const WALL_CLEARANCE = STAR_RADIUS + STAR_SPAWN_MARGIN;
const SHIP_DISTANCE = SHIP_RADIUS + STAR_RADIUS + STAR_SHIP_CLEARANCE;
const STAR_DISTANCE = 2 * STAR_RADIUS + STAR_SPAWN_MARGIN;
const PICKUP_DISTANCE = SHIP_RADIUS + STAR_RADIUS;

function closerThan(a: Point, b: Point, distance: number): boolean {
  const dx = a.x - b.x;
  const dy = a.y - b.y;
  return dx * dx + dy * dy < distance * distance;
}

/** True when a new star at `spot` would clear the walls, every ship and every star. */
export function isFreeStarSpot(
  map: ArenaMap,
  spot: Point,
  ships: readonly ShipState[],
  stars: readonly Star[],
): boolean {
  if (!isFreeSpot(map, spot.x, spot.y, WALL_CLEARANCE)) return false;
  for (const ship of ships) if (closerThan(spot, ship, SHIP_DISTANCE)) return false;
  for (const star of stars) if (closerThan(spot, star, STAR_DISTANCE)) return false;
  return true;
}

/**
 * Draws random whole-unit spots until one is free, or gives up after STAR_SPAWN_ATTEMPTS (a crowded
 * field) and returns null, so one step never loops for long; the caller tries again next tick.
 */
export function findStarSpot(
  map: ArenaMap,
  random: SeededRandom,
  ships: readonly ShipState[],
  stars: readonly Star[],
): Point | null {
  const min = Math.ceil(WALL_CLEARANCE);
  for (let attempt = 0; attempt < STAR_SPAWN_ATTEMPTS; attempt++) {
    const spot = { x: random.int(min, map.width - min), y: random.int(min, map.height - min) };
    if (isFreeStarSpot(map, spot, ships, stars)) return spot;
  }
  return null;
}

export interface Pickup {
  readonly star: Star;
  readonly slot: number;
}

/**
 * Which stars are touched this tick, and by whom. Each star goes to the first touching ship in
 * player order (lowest slot), so simultaneous touches resolve the same way everywhere; one ship may
 * take several stars in one tick.
 */
export function findPickups(players: readonly PlayerState[], stars: readonly Star[]): Pickup[] {
  const pickups: Pickup[] = [];
  for (const star of stars) {
    const taker = players.find((player) => closerThan(player, star, PICKUP_DISTANCE));
    if (taker) pickups.push({ star, slot: taker.slot });
  }
  return pickups;
}
