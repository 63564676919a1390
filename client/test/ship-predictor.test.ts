import { Direction, type ShipState, stepShip, TICK_SECONDS } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { ShipPredictor } from '../src/game/ship-predictor.ts';

const START: ShipState = { x: 800, y: 120, vx: 0, vy: 0 };

function run(ship: ShipState, bits: readonly number[]): ShipState {
  return bits.reduce((state, held) => stepShip(state, held, TICK_SECONDS), ship);
}

describe('ShipPredictor', () => {
  it('numbers inputs from 1 and keeps them until acknowledged', () => {
    const predictor = new ShipPredictor();
    expect(predictor.tick(Direction.right).seq).toBe(1);
    expect(predictor.tick(Direction.right).seq).toBe(2);
    expect(predictor.pendingCount).toBe(2);
    predictor.reconcile(START, 1);
    expect(predictor.pendingCount).toBe(1);
  });

  it('replays the unacknowledged inputs on top of the server state', () => {
    const predictor = new ShipPredictor();
    predictor.reconcile(START, 0);
    const held = [Direction.right, Direction.right, Direction.down, Direction.down];
    for (const bits of held) predictor.tick(bits);
    // The server has applied the first two inputs.
    const server = run(START, held.slice(0, 2));
    predictor.reconcile(server, 2);
    expect(predictor.ship).toEqual(run(START, held));
    expect(predictor.lastCorrection).toBe(0);
    expect(predictor.pendingCount).toBe(2);
  });

  it('hides a small correction behind an offset that fades out', () => {
    const predictor = new ShipPredictor({ smoothingMs: 100 });
    predictor.reconcile(START, 0);
    predictor.reconcile({ ...START, x: START.x + 10 }, 0);
    expect(predictor.lastCorrection).toBeCloseTo(10);
    expect(predictor.shown(0)?.x).toBeCloseTo(START.x);
    expect(predictor.shown(1000)?.x).toBeCloseTo(START.x + 10, 2);
  });

  it('jumps straight to a far correction', () => {
    const predictor = new ShipPredictor({ snapDistance: 50 });
    predictor.reconcile(START, 0);
    predictor.reconcile({ ...START, x: START.x + 400 }, 0);
    expect(predictor.shown(0)?.x).toBe(START.x + 400);
  });

  it('does not predict before the first snapshot placed the ship', () => {
    const predictor = new ShipPredictor();
    predictor.tick(Direction.up);
    expect(predictor.ship).toBeNull();
    expect(predictor.shown(16)).toBeNull();
  });
});
