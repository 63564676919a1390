import { describe, expect, it } from 'vitest';
import { SnapshotArrivals } from '../src/game/snapshot-arrivals.ts';

const TICK_MS = 1000 / 30;

describe('SnapshotArrivals', () => {
  it('maps the server tick line from the earliest arrival, and measures lateness against it', () => {
    const arrivals = new SnapshotArrivals();
    // Snapshot ticks at 30/20: 2, 3, 5, 6, 8, 9, … ; the second one arrives 30 ms late.
    arrivals.arrived(2, 1000 + 2 * TICK_MS);
    arrivals.arrived(3, 1000 + 3 * TICK_MS + 30);
    arrivals.arrived(5, 1000 + 5 * TICK_MS);
    expect(arrivals.offset).toBeCloseTo(-1000);
    expect(arrivals.latenessMs).toBeCloseTo(30);
    expect(arrivals.jitterMs).toBeGreaterThan(0);
  });

  it('counts snapshot ticks that never came, and snapshots that came after a newer one', () => {
    const arrivals = new SnapshotArrivals();
    arrivals.arrived(2, 0);
    arrivals.arrived(6, 4 * TICK_MS); // 3 and 5 missing
    arrivals.lateArrival();
    expect(arrivals.counts).toEqual({ received: 2, late: 1, missing: 2 });
    expect(arrivals.missingShare).toBeCloseTo(0.5);
  });

  it('forgets arrivals older than its window', () => {
    const arrivals = new SnapshotArrivals(undefined, 1000);
    arrivals.arrived(2, 2 * TICK_MS - 500); // early: an offset of +500
    for (let tick = 30; tick <= 90; tick += 3) arrivals.arrived(tick, tick * TICK_MS);
    expect(arrivals.offset).toBeCloseTo(0);
  });
});
