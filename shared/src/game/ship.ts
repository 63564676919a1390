import { ARENA_MAP, type ArenaMap } from './arena-map.ts';
import { type Motion, moveCircle } from './collision.ts';
import {
  MAX_STEP_SECONDS,
  POSITION_SCALE,
  SHIP_ACCELERATION,
  SHIP_DRAG,
  SHIP_MAX_SPEED,
  SHIP_RADIUS,
  SHIP_STOP_SPEED,
  VELOCITY_SCALE,
} from './constants.ts';
import { directionFromBits } from './input.ts';

/** A ship's centre (world units) and velocity (units/s). */
export type ShipState = Motion;

/** Rounds a coordinate to the snapshot grid (1/32 unit). `+ 0` turns -0 into 0. */
export function quantizePosition(value: number): number {
  return Math.round(value * POSITION_SCALE) / POSITION_SCALE + 0;
}

/** Rounds a velocity component to the snapshot grid (1/64 unit/s). */
export function quantizeVelocity(value: number): number {
  return Math.round(value * VELOCITY_SCALE) / VELOCITY_SCALE + 0;
}

/** Truncates towards zero instead: used when rounding would lift a capped speed above the cap. */
function truncateVelocity(value: number): number {
  return Math.trunc(value * VELOCITY_SCALE) / VELOCITY_SCALE + 0;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/**
 * Advances one ship by `dt` seconds with the direction keys `bits` held: drag, thrust, speed cap,
 * then a swept move that slides along walls. The server runs it for every ship each tick, and the
 * client replays its unacknowledged inputs through it, so both must call it with the same `dt`
 * (TICK_SECONDS) to agree.
 *
 * The result is snapped to the snapshot grid. A snapshot therefore carries the server's state
 * exactly, and a client that rewinds to it and replays the same inputs gets the same bits.
 */
export function stepShip(ship: ShipState, bits: number, dt: number, map: ArenaMap = ARENA_MAP): ShipState {
  if (!(dt > 0)) return ship;
  const h = Math.min(dt, MAX_STEP_SECONDS);
  const direction = directionFromBits(bits);
  // Drag before thrust: with a long dt, drag clamped to "all of it" must not also cancel the thrust.
  const keep = Math.max(0, 1 - SHIP_DRAG * h);
  let vx = ship.vx * keep + direction.x * SHIP_ACCELERATION * h;
  let vy = ship.vy * keep + direction.y * SHIP_ACCELERATION * h;
  const speedSquared = vx * vx + vy * vy;
  if (speedSquared > SHIP_MAX_SPEED * SHIP_MAX_SPEED) {
    const scale = SHIP_MAX_SPEED / Math.sqrt(speedSquared);
    vx *= scale;
    vy *= scale;
  } else if (direction.x === 0 && direction.y === 0 && speedSquared < SHIP_STOP_SPEED * SHIP_STOP_SPEED) {
    vx = 0;
    vy = 0;
  }
  const moved = moveCircle({ x: ship.x, y: ship.y, vx, vy }, SHIP_RADIUS, h, map.walls);
  let qx = quantizeVelocity(moved.vx);
  let qy = quantizeVelocity(moved.vy);
  if (qx * qx + qy * qy > SHIP_MAX_SPEED * SHIP_MAX_SPEED) {
    qx = truncateVelocity(moved.vx);
    qy = truncateVelocity(moved.vy);
  }
  return {
    x: quantizePosition(clamp(moved.x, SHIP_RADIUS, map.width - SHIP_RADIUS)),
    y: quantizePosition(clamp(moved.y, SHIP_RADIUS, map.height - SHIP_RADIUS)),
    vx: qx,
    vy: qy,
  };
}
