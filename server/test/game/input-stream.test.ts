import { encodeInput } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { InputStream, InputVerdict, STANDING_BACKLOG_TICKS, TRIM_PATIENCE_TICKS } from '../../src/game/input-stream.ts';
import { FakeClock } from './fakes.ts';

const input = (seq: number, bits = 0) => encodeInput({ seq, bits, clientTime: seq * 33 });

function stream(clock = new FakeClock(), budget = { burst: 30, perSecond: 60 }, queueLimit = 4) {
  return new InputStream({ budget, queueLimit, clock: clock.read });
}

describe('InputStream', () => {
  it('hands inputs out one at a time in sequence order; the last one handed out is the ack', () => {
    const inputs = stream();
    expect(inputs.ackSeq).toBe(0);
    expect(inputs.offer(input(1, 8))).toBe(InputVerdict.queued);
    expect(inputs.offer(input(2, 4))).toBe(InputVerdict.queued);
    expect(inputs.takeNext()).toMatchObject({ seq: 1, bits: 8 });
    expect(inputs.ackSeq).toBe(1);
    expect(inputs.takeNext()).toMatchObject({ seq: 2, bits: 4 });
    expect(inputs.takeNext()).toBeUndefined();
    expect(inputs.ackSeq).toBe(2);
  });

  it('drops duplicates and inputs overtaken on the unordered channel', () => {
    const inputs = stream();
    inputs.offer(input(5));
    expect(inputs.offer(input(5))).toBe(InputVerdict.stale);
    expect(inputs.offer(input(4))).toBe(InputVerdict.stale);
    expect(inputs.offer(input(6))).toBe(InputVerdict.queued);
    expect(inputs.counts).toMatchObject({ queued: 2, stale: 2 });
  });

  it('follows the sequence across the uint32 wrap', () => {
    const inputs = stream();
    expect(inputs.offer(input(0xffffffff))).toBe(InputVerdict.queued);
    expect(inputs.offer(input(0))).toBe(InputVerdict.queued);
    expect(inputs.offer(input(0xfffffffe))).toBe(InputVerdict.stale);
  });

  it('refuses what is not an INPUT message', () => {
    const inputs = stream();
    const bad = input(1, 0);
    bad[6] = 0x10; // a fifth direction bit
    expect(inputs.offer(bad)).toBe(InputVerdict.malformed);
    expect(inputs.offer(new Uint8Array([1, 2, 3]))).toBe(InputVerdict.malformed);
    expect(inputs.counts.malformed).toBe(2);
  });

  it('lets 30 Hz through indefinitely and drops a flood beyond the budget', () => {
    const clock = new FakeClock();
    const inputs = stream(clock, { burst: 30, perSecond: 60 });
    let seq = 0;
    for (let i = 0; i < 300; i++) {
      clock.advanceTicks(1);
      expect(inputs.offer(input(++seq))).toBe(InputVerdict.queued);
      inputs.takeNext();
    }
    // A flood of 100 in one instant, a tick later: the refilled burst of 30 passes, the rest is dropped.
    clock.advanceTicks(1);
    const verdicts = Array.from({ length: 100 }, () => inputs.offer(input(++seq)));
    expect(verdicts.filter((v) => v === InputVerdict.rateLimited)).toHaveLength(70);
    expect(inputs.counts.rate_limited).toBe(70);
  });

  /** One input per tick after a burst of one extra: a standing backlog. Returns the ack after each tick. */
  function standingBacklog(ticks: number, bits: number, atRest: (tick: number) => boolean) {
    const clock = new FakeClock();
    const inputs = stream(clock);
    let seq = 0;
    inputs.offer(input(++seq, bits)); // a burst after a stall: one input more than the tick needs
    const acks: number[] = [];
    for (let tick = 0; tick < ticks; tick++) {
      clock.advanceTicks(1);
      inputs.offer(input(++seq, bits)); // then one per tick, in step with the room
      inputs.takeNext(atRest(tick));
      acks.push(inputs.ackSeq);
    }
    return { inputs, acks, newest: seq };
  }

  it('trims a standing backlog at once when the dropped input holds no keys and the ship stands still', () => {
    const { inputs, acks, newest } = standingBacklog(2 * STANDING_BACKLOG_TICKS, 0, () => true);
    expect(inputs.counts.trimmed).toBe(1);
    // Each ack trails the newest input by one until the tick that ends the first window.
    expect(acks[STANDING_BACKLOG_TICKS - 2]).toBe(STANDING_BACKLOG_TICKS - 1);
    expect(acks[STANDING_BACKLOG_TICKS - 1]).toBe(STANDING_BACKLOG_TICKS + 1);
    expect(acks.at(-1)).toBe(newest);
    expect(inputs.queued).toBe(0);
  });

  it('while the ship flies, waits TRIM_PATIENCE_TICKS for a free moment, then trims anyway', () => {
    const ticks = STANDING_BACKLOG_TICKS + TRIM_PATIENCE_TICKS + 10;
    const { inputs, acks, newest } = standingBacklog(ticks, 8, () => false);
    expect(inputs.counts.trimmed).toBe(1);
    const trimmedAt = STANDING_BACKLOG_TICKS - 1 + TRIM_PATIENCE_TICKS - 1;
    expect(acks[trimmedAt - 1]).toBe(trimmedAt);
    expect(acks[trimmedAt]).toBe(trimmedAt + 2);
    expect(acks.at(-1)).toBe(newest);
  });

  it('takes the first free moment while it waits', () => {
    const restsAt = STANDING_BACKLOG_TICKS + 20;
    const { inputs, acks } = standingBacklog(restsAt + 10, 0, (tick) => tick >= restsAt);
    expect(inputs.counts.trimmed).toBe(1);
    expect(acks[restsAt - 1]).toBe(restsAt);
    expect(acks[restsAt]).toBe(restsAt + 2);
  });

  it('drops no input once the backlog drained by itself while the trim waited', () => {
    const clock = new FakeClock();
    const inputs = stream(clock);
    let seq = 0;
    inputs.offer(input(++seq, 8));
    for (let tick = 0; tick < STANDING_BACKLOG_TICKS + TRIM_PATIENCE_TICKS + 10; tick++) {
      clock.advanceTicks(1);
      // Shortly after the backlog is found, one input comes a tick late: the queue drains to one.
      if (tick !== STANDING_BACKLOG_TICKS + 5) inputs.offer(input(++seq, 8));
      inputs.takeNext(false);
    }
    expect(inputs.counts.trimmed).toBe(0);
  });

  it('leaves jitter alone: a queue that drains once in the window is not trimmed', () => {
    const clock = new FakeClock();
    const inputs = stream(clock);
    let seq = 0;
    inputs.offer(input(++seq));
    for (let tick = 0; tick < 3 * STANDING_BACKLOG_TICKS; tick++) {
      clock.advanceTicks(1);
      // Every 20th tick the input comes late, after the room's tick: the queue dips to one.
      if (tick % 20 !== 7) inputs.offer(input(++seq));
      inputs.takeNext();
      if (tick % 20 === 7) inputs.offer(input(++seq));
    }
    expect(inputs.counts.trimmed).toBe(0);
  });

  it('keeps at most queueLimit inputs waiting, dropping the oldest', () => {
    const inputs = stream(new FakeClock(), { burst: 30, perSecond: 60 }, 2);
    for (let seq = 1; seq <= 4; seq++) inputs.offer(input(seq));
    expect(inputs.queued).toBe(2);
    expect(inputs.counts.overflowed).toBe(2);
    expect(inputs.takeNext()?.seq).toBe(3);
  });
});
