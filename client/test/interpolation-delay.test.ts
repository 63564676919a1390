import { describe, expect, it } from 'vitest';
import {
  CEILING_MS,
  FALL_MS_PER_SECOND,
  FLOOR_MARGIN_MS,
  InterpolationDelay,
  JITTER_MARGIN_MS,
} from '../src/game/interpolation-delay.ts';

const INTERVAL = 50;

describe('InterpolationDelay (adaptive)', () => {
  it('starts at its floor: one snapshot interval and a small margin', () => {
    const delay = new InterpolationDelay({ snapshotIntervalMs: INTERVAL });
    expect(delay.ms).toBe(INTERVAL + FLOOR_MARGIN_MS);
    expect(delay.update(0, 0, 1000)).toBe(INTERVAL + FLOOR_MARGIN_MS);
  });

  it('covers the measured lateness, at once', () => {
    const delay = new InterpolationDelay({ snapshotIntervalMs: INTERVAL });
    expect(delay.update(40, 0, 16)).toBe(INTERVAL + 40 + JITTER_MARGIN_MS);
  });

  it('adds an interval when snapshots go missing, so one loss is interpolated across', () => {
    const delay = new InterpolationDelay({ snapshotIntervalMs: INTERVAL });
    expect(delay.target(20, 0.05)).toBe(2 * INTERVAL + 20 + JITTER_MARGIN_MS);
    expect(delay.target(20, 0.001)).toBe(INTERVAL + 20 + JITTER_MARGIN_MS);
  });

  it('never exceeds its ceiling, however bad the network', () => {
    const delay = new InterpolationDelay({ snapshotIntervalMs: INTERVAL });
    expect(delay.update(900, 0.5, 16)).toBe(CEILING_MS);
    const tight = new InterpolationDelay({ snapshotIntervalMs: INTERVAL, floorMs: 70, ceilingMs: 120 });
    expect(tight.update(900, 0, 16)).toBe(120);
    expect(tight.update(0, 0, 60_000)).toBe(70);
  });

  it('falls slowly once the network calms down', () => {
    const delay = new InterpolationDelay({ snapshotIntervalMs: INTERVAL });
    const high = delay.update(100, 0, 16);
    expect(delay.update(0, 0, 1000)).toBeCloseTo(high - FALL_MS_PER_SECOND);
    expect(delay.update(0, 0, 60_000)).toBe(INTERVAL + FLOOR_MARGIN_MS);
  });
});
