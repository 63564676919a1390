import {
  encodeSnapshot,
  GameChannelEvent,
  GameEvent,
  type GameEventMessage,
  type LaneTimers,
  NetworkImpairment,
  NO_IMPAIRMENT,
  PlayerTransport,
  SeededRandom,
} from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { GameLink } from '../../src/transport/game-link.ts';
import { LinkImpairment, serverImpairment } from '../../src/transport/route-impairment.ts';
import { fakeChannel, fakePeer } from './link-fakes.ts';

/** Timers on a clock the test moves, firing in time order. */
class FakeTimers implements LaneTimers {
  time = 0;
  #timers: { at: number; callback: () => void; id: number }[] = [];
  #ids = 0;
  now = (): number => this.time;
  setTimeout = (callback: () => void, ms: number): unknown => {
    this.#timers.push({ at: this.time + ms, callback, id: ++this.#ids });
    return this.#ids;
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

function setup(conditions = { lagMs: 100, jitterMs: 0, lossPercent: 20 }, onDataChannels = true) {
  const timers = new FakeTimers();
  const random = new SeededRandom(3);
  const impairment = new NetworkImpairment(conditions, { timers, random: () => random.next() });
  const { events, state, route } = fakePeer(4096);
  const { channel, pushes } = fakeChannel();
  const link = new GameLink({
    channel,
    initialRoute: onDataChannels ? route : undefined,
    noticeIntervalMs: 1000,
    snapshotMaxBufferedBytes: 4096,
    now: () => timers.time,
    impairment: new LinkImpairment(impairment),
    rerouted: () => {},
  });
  return { timers, link, events, state, pushes };
}

const snapshot = encodeSnapshot({ tick: 7, ackSeq: 3, serverTime: 0, players: [] });
const event = (score: number): GameEventMessage => ({ type: GameEvent.scoreChanged, tick: 7, slot: 0, score });

describe('server-side network impairment (NET_IMPAIR_*)', () => {
  it('is off, and costs nothing, unless a setting is above 0', () => {
    expect(serverImpairment(NO_IMPAIRMENT)).toBeNull();
    expect(serverImpairment({ lagMs: 0, jitterMs: 0, lossPercent: 1 })).not.toBeNull();
  });

  it('delays snapshots on the DataChannel by half the round trip and loses some', () => {
    const { timers, link, state } = setup();
    for (let i = 0; i < 200; i++) expect(link.sendSnapshot(snapshot.slice())).toBe('sent');
    timers.advance(49);
    expect(state.sent).toHaveLength(0);
    timers.advance(2);
    expect(state.sent.length).toBeGreaterThan(130);
    expect(state.sent.length).toBeLessThan(190);
  });

  it('never loses or reorders events: a loss costs a retransmission', () => {
    const { timers, link, events } = setup();
    for (let score = 1; score <= 50; score++) link.sendEvent(event(score));
    timers.advance(10_000);
    expect(events.sent.map((text) => JSON.parse(text as string).score)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });

  it('treats the WebSocket as one stream: snapshots arrive late, in order, none lost', () => {
    const { timers, link, pushes } = setup(undefined, false);
    for (let i = 0; i < 50; i++) link.sendSnapshot(snapshot.slice());
    link.sendEvent(event(1));
    timers.advance(10_000);
    expect(pushes.map((push) => push.event)).toEqual([
      ...Array.from({ length: 50 }, () => GameChannelEvent.snapshot),
      GameChannelEvent.event,
    ]);
  });

  it('delays inputs on their way in, on the path they came by', () => {
    const { timers, link } = setup({ lagMs: 100, jitterMs: 0, lossPercent: 0 });
    const received: string[] = [];
    link.receiveInput(PlayerTransport.webrtc, () => received.push('rtc'));
    link.receiveInput(PlayerTransport.websocket, () => received.push('ws'));
    timers.advance(49);
    expect(received).toEqual([]);
    timers.advance(2);
    expect(received.sort()).toEqual(['rtc', 'ws']);
  });

  it('drops what is in flight when the link closes', () => {
    const { timers, link, state } = setup({ lagMs: 100, jitterMs: 0, lossPercent: 0 });
    link.sendSnapshot(snapshot.slice());
    link.close();
    timers.advance(1000);
    expect(state.sent).toHaveLength(0);
  });
});
