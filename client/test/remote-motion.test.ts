import { SHIP_MAX_SPEED } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { DRAWN_SPEED_LIMIT, MotionMeter } from '../src/game/motion-meter.ts';
import { RemoteSmoother } from '../src/game/remote-smoother.ts';

const FRAME_MS = 1000 / 60;

describe('RemoteSmoother', () => {
  it('passes motion a ship can fly through untouched', () => {
    const smoother = new RemoteSmoother();
    expect(smoother.shown(1, { x: 100, y: 100 }, 0)).toEqual({ x: 100, y: 100 });
    expect(smoother.shown(1, { x: 105, y: 100 }, FRAME_MS)).toEqual({ x: 105, y: 100 });
  });

  it('turns a jump back (a wrong extrapolation) into a glide over a few frames', () => {
    const smoother = new RemoteSmoother({ smoothingMs: 80 });
    const meter = new MotionMeter();
    let x = 100;
    let now = 0;
    smoother.shown(1, { x, y: 100 }, 0);
    meter.frame(1, x, 100, now);
    // The path jumps 30 units back in one frame, then stands still.
    x -= 30;
    let shown = 0;
    for (let frame = 0; frame < 60; frame++) {
      now += FRAME_MS;
      shown = smoother.shown(1, { x, y: 100 }, FRAME_MS).x;
      meter.frame(1, shown, 100, now);
    }
    expect(shown).toBeCloseTo(70, 1);
    // The largest drawn step stayed near what a ship can fly in a frame, not the 30-unit jump.
    expect(meter.reading.maxJump).toBeLessThan(7);
  });

  it('shows a real teleport as it is', () => {
    const smoother = new RemoteSmoother({ snapDistance: 96 });
    smoother.shown(1, { x: 100, y: 100 }, 0);
    expect(smoother.shown(1, { x: 900, y: 500 }, FRAME_MS)).toEqual({ x: 900, y: 500 });
  });
});

describe('MotionMeter', () => {
  it('sees no jump and no jerk in steady flight, at any frame rate', () => {
    const meter = new MotionMeter();
    let now = 0;
    for (let frame = 0; frame < 60; frame++) {
      now += frame % 2 === 0 ? 10 : 30;
      meter.frame(1, 100 + (SHIP_MAX_SPEED * now) / 1000, 100, now);
    }
    expect(meter.reading.maxJump).toBeCloseTo(0, 6);
    expect(meter.reading.jerkP95).toBeCloseTo(0, 3);
  });

  it('measures a jump as the distance beyond what a drawn ship can cover in that frame', () => {
    const meter = new MotionMeter();
    meter.frame(1, 100, 100, 0);
    meter.frame(1, 180, 100, 100); // 80 units in 100 ms: 51.2 possible
    expect(meter.reading.maxJump).toBeCloseTo(80 - DRAWN_SPEED_LIMIT * 0.1);
    expect(new MotionMeter(SHIP_MAX_SPEED).reading.maxJump).toBe(0);
  });

  it('reports jerk where the drawn motion stutters', () => {
    const meter = new MotionMeter();
    let x = 100;
    for (let frame = 0; frame < 60; frame++) {
      x += frame % 2 === 0 ? 0 : 10; // stop, go, stop, go
      meter.frame(1, x, 100, frame * FRAME_MS);
    }
    expect(meter.reading.jerkP95).toBeGreaterThan(1_000_000);
  });
});
