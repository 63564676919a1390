import { describe, expect, it } from 'vitest';
import { circleOverlapsAny, circleOverlapsRect, moveCircle, type Rect } from '../../src/game/collision.ts';

const box: Rect = { x: 100, y: 100, width: 50, height: 20 };

describe('circleOverlapsRect', () => {
  it('counts overlap but not touching', () => {
    expect(circleOverlapsRect(90, 110, 10, box)).toBe(false); // touches the left face
    expect(circleOverlapsRect(91, 110, 10, box)).toBe(true);
    expect(circleOverlapsRect(125, 110, 1, box)).toBe(true); // centre inside
    expect(circleOverlapsRect(125, 131, 10, box)).toBe(false);
  });

  it('measures corners by distance, not by bounding box', () => {
    // 7 units off both faces of the corner: inside the bounding square of radius 8, but 9.9 away.
    expect(circleOverlapsRect(93, 93, 8, box)).toBe(false);
    expect(circleOverlapsRect(93, 93, 10, box)).toBe(true);
  });

  it('checks a list of rectangles', () => {
    const other: Rect = { x: 0, y: 0, width: 10, height: 10 };
    expect(circleOverlapsAny(12, 5, 3, [box, other])).toBe(true);
    expect(circleOverlapsAny(50, 50, 3, [box, other])).toBe(false);
  });
});

describe('moveCircle', () => {
  const wall: Rect = { x: 200, y: 0, width: 20, height: 400 };

  it('moves freely by velocity × dt', () => {
    expect(moveCircle({ x: 50, y: 50, vx: 30, vy: -60 }, 10, 0.5, [wall])).toEqual({ x: 65, y: 20, vx: 30, vy: -60 });
  });

  it('stops at the face of a wall hit head-on', () => {
    expect(moveCircle({ x: 150, y: 100, vx: 300, vy: 0 }, 10, 1, [wall])).toEqual({ x: 190, y: 100, vx: 0, vy: 0 });
  });

  it('slides along a wall hit at an angle, keeping the tangential motion', () => {
    const moved = moveCircle({ x: 180, y: 100, vx: 100, vy: 50 }, 10, 1, [wall]);
    expect(moved.x).toBe(190);
    expect(moved.vx).toBe(0);
    expect(moved.vy).toBe(50);
    // The whole tangential move of 50 is kept, not only the part before the contact.
    expect(moved.y).toBeCloseTo(150, 9);
  });

  it('never tunnels through a thin wall, however large the move', () => {
    const thin: Rect = { x: 200, y: 0, width: 1, height: 400 };
    for (const dt of [0.1, 1, 10, 100]) {
      const moved = moveCircle({ x: 150, y: 100, vx: 500, vy: 0 }, 10, dt, [thin]);
      expect(moved.x).toBe(190);
    }
    const diagonal = moveCircle({ x: 150, y: 100, vx: 400, vy: 300 }, 10, 10, [thin]);
    expect(diagonal.x).toBe(190);
    expect(diagonal.vx).toBe(0);
  });

  it('comes to rest in an inner corner, touching both walls', () => {
    const floor: Rect = { x: 0, y: 300, width: 400, height: 20 };
    const moved = moveCircle({ x: 100, y: 200, vx: 200, vy: 200 }, 10, 2, [wall, floor]);
    expect(moved).toEqual({ x: 190, y: 290, vx: 0, vy: 0 });
  });

  it('pushes a circle that starts inside a rectangle out through the nearest face', () => {
    // 3 units from the left face of `wall`, 17 from the right one.
    expect(moveCircle({ x: 203, y: 100, vx: 0, vy: 0 }, 10, 1, [wall])).toEqual({ x: 190, y: 100, vx: 0, vy: 0 });
  });

  it('glides round a convex corner it clips', () => {
    // Heading right 5 units below the wall's bottom edge: the circle clips the corner (200, 400).
    const moved = moveCircle({ x: 185, y: 405, vx: 40, vy: 0 }, 10, 1, [wall]);
    expect(moved.x).toBeGreaterThan(200);
    expect(moved.y).toBeGreaterThanOrEqual(410 - 1e-9);
    expect(moved.vx).toBeLessThan(40);
    expect(moved.vy).toBeGreaterThan(0);
    expect(circleOverlapsRect(moved.x, moved.y, 10 - 1e-9, wall)).toBe(false);
  });

  it('rejects a radius that would make the sweep endless', () => {
    expect(() => moveCircle({ x: 0, y: 0, vx: 1, vy: 0 }, 0, 1, [])).toThrow(RangeError);
  });
});
