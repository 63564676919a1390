import { TICK_RATE } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { TickAccumulator } from '../../src/game/tick-accumulator.ts';
import { TickLoop } from '../../src/game/tick-loop.ts';
import { FakeClock, FakeScheduler } from './fakes.ts';

describe('TickAccumulator', () => {
  it('hands out each tick once, when its time has come', () => {
    const ticks = new TickAccumulator(TICK_RATE, 4, 0);
    expect(ticks.due(0)).toBe(0);
    expect(ticks.due(33)).toBe(0);
    expect(ticks.msUntilNext(33)).toBeCloseTo(1000 / 30 - 33);
    expect(ticks.due(1000 / 30)).toBe(1);
    expect(ticks.due(1000 / 30)).toBe(0);
    // 100 ms is 2.9999999999999996 ticks in floating point: it must count as 3.
    expect(ticks.due(100)).toBe(2);
    expect(ticks.taken).toBe(3);
  });

  it('does not drift: an hour of 1 ms-late wake-ups takes exactly 30 ticks per second', () => {
    const ticks = new TickAccumulator(TICK_RATE, 4, 5_000);
    let now = 5_000;
    let taken = 0;
    for (let i = 0; i < 3600 * TICK_RATE; i++) {
      now += ticks.msUntilNext(now) + 1;
      taken += ticks.due(now);
    }
    const seconds = (now - 5_000) / 1000;
    expect(taken).toBe(Math.floor(seconds * TICK_RATE + 1e-9));
    expect(ticks.skipped).toBe(0);
  });

  it('catches up at most maxCatchUp ticks after a stall and skips the rest', () => {
    const ticks = new TickAccumulator(TICK_RATE, 4, 0);
    expect(ticks.due(1000)).toBe(4);
    expect(ticks.skipped).toBe(26);
    // The skipped time is gone for good: the next tick is one step after the stall ended.
    expect(ticks.msUntilNext(1000)).toBeCloseTo(1000 / 30);
    expect(ticks.due(1000 + 1000 / 30)).toBe(1);
  });

  it('refuses nonsense settings', () => {
    expect(() => new TickAccumulator(0, 4, 0)).toThrow(RangeError);
    expect(() => new TickAccumulator(TICK_RATE, 0, 0)).toThrow(RangeError);
  });
});

describe('TickLoop', () => {
  function setup() {
    const clock = new FakeClock();
    const scheduler = new FakeScheduler(clock);
    const ticks = new TickAccumulator(TICK_RATE, 4, 0);
    const ran: number[] = [];
    const errors: unknown[] = [];
    let fail = false;
    const loop = new TickLoop(
      {
        advance() {
          const due = ticks.due(clock.now);
          for (let i = 0; i < due; i++) ran.push(clock.now);
          if (fail) throw new Error('bad tick');
        },
        msUntilNextTick: () => ticks.msUntilNext(clock.now),
      },
      (error) => errors.push(error),
      scheduler,
    );
    return {
      clock,
      scheduler,
      ran,
      errors,
      loop,
      failNext: () => {
        fail = true;
      },
    };
  }

  it('wakes for each tick, re-arming for the time left, rounded up to whole ms', () => {
    const { scheduler, ran, loop } = setup();
    loop.start();
    scheduler.runUntil(1000);
    expect(ran).toHaveLength(30);
    // 33.3 ms, then 32.7 and 32.3 ms left after each wake a fraction late: no drift builds up.
    expect(scheduler.delays.slice(0, 3)).toEqual([34, 33, 33]);
  });

  it('keeps 30 ticks per second when every timer fires late', () => {
    const { scheduler, ran, loop } = setup();
    loop.start();
    scheduler.runUntil(10_000, 7);
    expect(ran.length).toBeGreaterThanOrEqual(299);
    expect(ran.length).toBeLessThanOrEqual(300);
  });

  it('stops: no timer left, no tick after', () => {
    const { scheduler, ran, loop } = setup();
    loop.start();
    scheduler.runUntil(100);
    loop.stop();
    expect(scheduler.pending).toBe(0);
    scheduler.runUntil(1000);
    expect(ran).toHaveLength(3);
    expect(loop.running).toBe(false);
  });

  it('reports a tick that throws and keeps running', () => {
    const { scheduler, ran, errors, loop, failNext } = setup();
    loop.start();
    failNext();
    scheduler.runUntil(100);
    expect(errors.length).toBeGreaterThan(0);
    expect(ran).toHaveLength(3);
    expect(loop.running).toBe(true);
  });
});
