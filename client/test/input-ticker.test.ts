import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InputTicker } from '../src/game/input-ticker.ts';

describe('InputTicker', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('beats twice per tick of the room, and follows a change of rate', () => {
    let tickMs: number | null = null;
    let beats = 0;
    const ticker = new InputTicker(
      () => tickMs,
      () => beats++,
    );
    // Until the rate is known: 30 Hz ticks, a beat every 16.7 ms.
    vi.advanceTimersByTime(100);
    expect(beats).toBe(6);
    tickMs = 100;
    vi.advanceTimersByTime(17);
    beats = 0;
    vi.advanceTimersByTime(200);
    expect(beats).toBe(4);
    ticker.dispose();
    vi.advanceTimersByTime(1000);
    expect(beats).toBe(4);
  });
});
