import { SHIP_MAX_SPEED } from '@starcatch/shared';

/**
 * How fast a hidden correction is paid back at most, units/s: half a ship's top speed. Faster and
 * the glide itself reads as a jump (the ship visibly outruns itself); slower and the drawn ship
 * trails the true one for long.
 */
export const MAX_FADE_SPEED = SHIP_MAX_SPEED / 2;

/** A visual offset between where a ship is drawn and where it is, in world units. */
export interface Offset {
  x: number;
  y: number;
}

/**
 * Shrinks `offset` in place for `elapsedMs` of time: exponentially with time constant `smoothingMs`
 * (~63 % gone after it), but never by more than MAX_FADE_SPEED × the time, so a large correction
 * glides back at a bounded speed instead of snapping most of the way in the first frame.
 */
export function fadeOffset(offset: Offset, elapsedMs: number, smoothingMs: number): void {
  const elapsed = Math.max(0, elapsedMs);
  const length = Math.hypot(offset.x, offset.y);
  if (length === 0) return;
  const exponential = length * (1 - Math.exp(-elapsed / smoothingMs));
  const reduction = Math.min(exponential, (MAX_FADE_SPEED * elapsed) / 1000);
  const scale = (length - reduction) / length;
  offset.x *= scale;
  offset.y *= scale;
}
