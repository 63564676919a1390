/**
 * Player input on the wire and in the simulation: which direction keys are held, as a 4-bit mask.
 * Screen coordinates: x grows to the right, y grows downwards (as in Phaser), so `up` is -y.
 */
export const Direction = {
  up: 1,
  down: 2,
  left: 4,
  right: 8,
} as const;

/** Every bit a direction mask may have set; the codec rejects anything above it. */
export const DIRECTION_MASK = 0b1111;

/** A unit vector, or zero when no direction (or only opposite keys) is held. */
export interface DirectionVector {
  readonly x: number;
  readonly y: number;
}

function vectorFor(bits: number): DirectionVector {
  const x = (bits & Direction.right ? 1 : 0) - (bits & Direction.left ? 1 : 0);
  const y = (bits & Direction.down ? 1 : 0) - (bits & Direction.up ? 1 : 0);
  // Diagonals are scaled so that holding two keys is not √2 times faster.
  const scale = x !== 0 && y !== 0 ? Math.SQRT1_2 : 1;
  return Object.freeze({ x: x * scale, y: y * scale });
}

/** All 16 masks precomputed: the step looks them up instead of allocating per ship per tick. */
const VECTORS: readonly DirectionVector[] = Array.from({ length: DIRECTION_MASK + 1 }, (_, bits) => vectorFor(bits));

/** The thrust direction for a mask; bits above the four directions are ignored. */
export function directionFromBits(bits: number): DirectionVector {
  return VECTORS[bits & DIRECTION_MASK] as DirectionVector;
}

/** Which direction keys are held, as the client's keyboard handler sees them. */
export interface HeldDirections {
  readonly up?: boolean;
  readonly down?: boolean;
  readonly left?: boolean;
  readonly right?: boolean;
}

export function bitsFromKeys(keys: HeldDirections): number {
  return (
    (keys.up ? Direction.up : 0) |
    (keys.down ? Direction.down : 0) |
    (keys.left ? Direction.left : 0) |
    (keys.right ? Direction.right : 0)
  );
}

/** tan(22.5°): an axis counts when it is within 67.5° of the stick, giving eight even sectors. */
const SECTOR_SLOPE = Math.tan(Math.PI / 8);

/**
 * Turns an analogue stick (a touch joystick) into one of eight directions. `x` and `y` are in
 * screen orientation, any scale; below `deadZone` (same scale) the result is 0.
 */
export function bitsFromStick(x: number, y: number, deadZone = 0): number {
  if (!(x * x + y * y > deadZone * deadZone)) return 0;
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  let bits = 0;
  if (ax >= ay * SECTOR_SLOPE) bits |= x > 0 ? Direction.right : Direction.left;
  if (ay >= ax * SECTOR_SLOPE) bits |= y > 0 ? Direction.down : Direction.up;
  return bits;
}
