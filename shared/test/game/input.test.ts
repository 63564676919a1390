import { describe, expect, it } from 'vitest';
import { bitsFromKeys, bitsFromStick, DIRECTION_MASK, Direction, directionFromBits } from '../../src/game/input.ts';

const { up, down, left, right } = Direction;

describe('direction bits', () => {
  it('are four distinct bits inside the mask', () => {
    expect([up, down, left, right]).toEqual([1, 2, 4, 8]);
    expect(up | down | left | right).toBe(DIRECTION_MASK);
  });

  it('map single keys to unit axes (y grows downwards)', () => {
    expect(directionFromBits(0)).toEqual({ x: 0, y: 0 });
    expect(directionFromBits(up)).toEqual({ x: 0, y: -1 });
    expect(directionFromBits(down)).toEqual({ x: 0, y: 1 });
    expect(directionFromBits(left)).toEqual({ x: -1, y: 0 });
    expect(directionFromBits(right)).toEqual({ x: 1, y: 0 });
  });

  it('normalise diagonals so they are not faster', () => {
    expect(directionFromBits(up | right)).toEqual({ x: Math.SQRT1_2, y: -Math.SQRT1_2 });
    expect(directionFromBits(down | left)).toEqual({ x: -Math.SQRT1_2, y: Math.SQRT1_2 });
    for (let bits = 0; bits <= DIRECTION_MASK; bits++) {
      const { x, y } = directionFromBits(bits);
      const length = Math.sqrt(x * x + y * y);
      if (length !== 0) expect(length).toBeCloseTo(1, 15);
    }
  });

  it('cancel opposite keys', () => {
    expect(directionFromBits(up | down)).toEqual({ x: 0, y: 0 });
    expect(directionFromBits(left | right)).toEqual({ x: 0, y: 0 });
    expect(directionFromBits(up | down | left)).toEqual({ x: -1, y: 0 });
    expect(directionFromBits(DIRECTION_MASK)).toEqual({ x: 0, y: 0 });
  });

  it('ignore bits above the mask', () => {
    expect(directionFromBits(0x10 | right)).toBe(directionFromBits(right));
  });

  it('come from held keys', () => {
    expect(bitsFromKeys({})).toBe(0);
    expect(bitsFromKeys({ up: true, left: true, down: false })).toBe(up | left);
    expect(bitsFromKeys({ up: true, down: true, left: true, right: true })).toBe(DIRECTION_MASK);
  });

  it('come from a stick in eight 45° sectors, with a dead zone', () => {
    expect(bitsFromStick(1, 0)).toBe(right);
    expect(bitsFromStick(0, -1)).toBe(up);
    expect(bitsFromStick(-1, 1)).toBe(down | left);
    expect(bitsFromStick(1, 0.3)).toBe(right); // 16.7°: still straight right
    expect(bitsFromStick(1, 0.5)).toBe(right | down); // 26.6°: diagonal
    expect(bitsFromStick(0.3, -1)).toBe(up);
    expect(bitsFromStick(0, 0)).toBe(0);
    expect(bitsFromStick(0.1, 0.1, 0.2)).toBe(0);
    expect(bitsFromStick(0.3, 0, 0.2)).toBe(right);
  });
});
