import type { SnapshotMessage } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { SnapshotBuffer } from '../src/game/snapshot-buffer.ts';

const TICK_MS = 1000 / 30;

function snapshot(tick: number, x: number, vx = 0): SnapshotMessage {
  return { tick, ackSeq: 0, serverTime: 0, players: [{ slot: 0, x, y: 100, vx, vy: 0, score: 0 }] };
}

describe('SnapshotBuffer', () => {
  it('interpolates between the two snapshots around the delayed render time', () => {
    const buffer = new SnapshotBuffer({ delayMs: 100 });
    buffer.push(snapshot(30, 100), 1000);
    buffer.push(snapshot(33, 130), 1000 + 3 * TICK_MS);
    buffer.push(snapshot(36, 160), 1000 + 6 * TICK_MS);
    // 100 ms (3 ticks) behind the newest arrival is tick 33.
    expect(buffer.sample(1000 + 6 * TICK_MS).get(0)?.x).toBeCloseTo(130);
    // Half a snapshot later it is halfway to the next one.
    expect(buffer.sample(1000 + 7.5 * TICK_MS).get(0)?.x).toBeCloseTo(145);
  });

  it('drops stale and duplicate ticks', () => {
    const buffer = new SnapshotBuffer();
    expect(buffer.push(snapshot(10, 100), 0)).toBe(true);
    expect(buffer.push(snapshot(10, 999), 1)).toBe(false);
    expect(buffer.push(snapshot(9, 999), 2)).toBe(false);
    expect(buffer.depth).toBe(1);
  });

  it('extrapolates along the velocity when snapshots are late, but only so far', () => {
    const buffer = new SnapshotBuffer({ delayMs: 100, maxExtrapolationMs: 100 });
    buffer.push(snapshot(30, 100, 300), 1000);
    // 50 ms past the newest snapshot's render time: 300 units/s × 0.05 s.
    expect(buffer.sample(1000 + 150).get(0)?.x).toBeCloseTo(115);
    // A second later it stops at the cap of 100 ms.
    expect(buffer.sample(2000 + 100).get(0)?.x).toBeCloseTo(130);
  });

  it('is not shaken by a snapshot that arrives late', () => {
    const buffer = new SnapshotBuffer({ delayMs: 100 });
    buffer.push(snapshot(30, 100), 1000);
    buffer.push(snapshot(33, 130), 1000 + 3 * TICK_MS + 40);
    // The early arrival set the clock; the late one moves it by 5 % of its 40 ms only (2 ms).
    const x = buffer.sample(1000 + 4.5 * TICK_MS).get(0)?.x ?? 0;
    expect(Math.abs(x - 115)).toBeLessThan(1);
  });

  it('returns nothing before the first snapshot', () => {
    expect(new SnapshotBuffer().sample(0).size).toBe(0);
  });
});
