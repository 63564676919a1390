import { describe, expect, it } from 'vitest';
import {
  ImpairedLane,
  LaneKind,
  type LaneTimers,
  type NetworkConditions,
  parseNetworkConditions,
  STREAM_MIN_RETRANSMIT_MS,
} from '../../src/game/network-impairment.ts';
import { SeededRandom } from '../../src/game/random.ts';

/** A clock that only moves when told to, firing due timers in order. */
class FakeTimers implements LaneTimers {
  time = 0;
  #timers: { at: number; callback: () => void; id: number }[] = [];
  #ids = 0;
  now = (): number => this.time;
  setTimeout = (callback: () => void, ms: number): unknown => {
    const id = ++this.#ids;
    this.#timers.push({ at: this.time + ms, callback, id });
    return id;
  };
  clearTimeout = (handle: unknown): void => {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle);
  };
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.#timers.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((timer) => timer !== due);
      this.time = Math.max(this.time, due.at);
      due.callback();
    }
    this.time = end;
  }
}

function lane(kind: LaneKind, conditions: NetworkConditions, seed = 7) {
  const timers = new FakeTimers();
  const random = new SeededRandom(seed);
  const impaired = new ImpairedLane({ conditions: () => conditions, kind, timers, random: () => random.next() });
  const delivered: { id: number; at: number }[] = [];
  const send = (id: number) => impaired.carry(() => delivered.push({ id, at: timers.time }));
  return { impaired, timers, delivered, send };
}

describe('network impairment', () => {
  it('reads ?lag=…&jitter=…&loss=… and refuses what is out of range', () => {
    expect(parseNetworkConditions({ lag: '150', jitter: '20', loss: '5' })).toEqual({
      ok: true,
      conditions: { lagMs: 150, jitterMs: 20, lossPercent: 5 },
    });
    expect(parseNetworkConditions({})).toEqual({ ok: true, conditions: { lagMs: 0, jitterMs: 0, lossPercent: 0 } });
    expect(parseNetworkConditions({ loss: '80' }).ok).toBe(false);
    expect(parseNetworkConditions({ lag: 'soon' }).ok).toBe(false);
  });

  it('passes messages straight through when switched off', () => {
    const { send, delivered } = lane(LaneKind.datagram, { lagMs: 0, jitterMs: 0, lossPercent: 0 });
    send(1);
    expect(delivered).toEqual([{ id: 1, at: 0 }]);
  });

  it('delays each direction by half the round trip, within ± half the jitter', () => {
    const { send, delivered, timers } = lane(LaneKind.datagram, { lagMs: 150, jitterMs: 20, lossPercent: 0 });
    for (let id = 0; id < 200; id++) {
      send(id);
      timers.advance(1);
    }
    timers.advance(1000);
    expect(delivered).toHaveLength(200);
    const delays = delivered.map(({ id, at }) => at - id);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(65 - 1);
    expect(Math.max(...delays)).toBeLessThanOrEqual(85 + 1);
  });

  it('loses and reorders datagrams', () => {
    const { send, delivered, timers, impaired } = lane(LaneKind.datagram, {
      lagMs: 100,
      jitterMs: 40,
      lossPercent: 10,
    });
    for (let id = 0; id < 1000; id++) {
      send(id);
      timers.advance(5);
    }
    timers.advance(1000);
    expect(impaired.counts.dropped).toBeGreaterThan(60);
    expect(impaired.counts.dropped).toBeLessThan(140);
    expect(delivered).toHaveLength(1000 - impaired.counts.dropped);
    const ids = delivered.map(({ id }) => id);
    expect(ids).not.toEqual([...ids].sort((a, b) => a - b));
  });

  it('never loses or reorders stream messages: a loss costs a retransmission, and the ones behind wait', () => {
    const { send, delivered, timers, impaired } = lane(LaneKind.stream, { lagMs: 100, jitterMs: 40, lossPercent: 10 });
    for (let id = 0; id < 500; id++) {
      send(id);
      timers.advance(5);
    }
    timers.advance(5000);
    expect(delivered.map(({ id }) => id)).toEqual(Array.from({ length: 500 }, (_, id) => id));
    expect(impaired.counts.retransmitted).toBeGreaterThan(20);
    const slowest = Math.max(...delivered.map(({ id, at }) => at - id * 5));
    expect(slowest).toBeGreaterThanOrEqual(STREAM_MIN_RETRANSMIT_MS);
  });

  it('keeps a stream in order when the conditions are switched off while messages are in flight', () => {
    let conditions: NetworkConditions = { lagMs: 200, jitterMs: 0, lossPercent: 0 };
    const timers = new FakeTimers();
    const impaired = new ImpairedLane({ conditions: () => conditions, kind: LaneKind.stream, timers });
    const order: number[] = [];
    impaired.carry(() => order.push(1));
    conditions = { lagMs: 0, jitterMs: 0, lossPercent: 0 };
    impaired.carry(() => order.push(2));
    expect(order).toEqual([]);
    timers.advance(100);
    expect(order).toEqual([1, 2]);
    impaired.carry(() => order.push(3));
    expect(order).toEqual([1, 2, 3]);
  });
});
