import {
  DEFAULT_GAME_RATES,
  Direction,
  decodeInput,
  type GameEventMessage,
  type GameRates,
  isSnapshotTick,
  type PlayerTransport,
  SeededRandom,
  type SnapshotMessage,
  type SnapshotPlayer,
} from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { GameNetcode, INPUT_REDUNDANCY } from '../src/game/game-netcode.ts';
import { CEILING_MS } from '../src/game/interpolation-delay.ts';
import { DEFAULT_MAX_EXTRAPOLATION_MS } from '../src/game/snapshot-buffer.ts';
import { type GameConnection, Listeners } from '../src/net/game-connection.ts';

/** A link that records inputs and lets the test deliver snapshots. */
class FakeLink implements GameConnection {
  readonly transport: PlayerTransport = 'webrtc';
  readonly sent: Uint8Array[] = [];
  readonly snapshots = new Listeners<SnapshotMessage>();
  readonly events = new Listeners<GameEventMessage>();
  sendInput(bytes: Uint8Array<ArrayBuffer>): void {
    this.sent.push(bytes);
  }
  onSnapshot(listener: (snapshot: SnapshotMessage) => void): () => void {
    return this.snapshots.add(listener);
  }
  onEvent(listener: (event: GameEventMessage) => void): () => void {
    return this.events.add(listener);
  }
}

function setup(rates: GameRates | null = DEFAULT_GAME_RATES) {
  const link = new FakeLink();
  const clock = { now: 1000 };
  let known = rates;
  const netcode = new GameNetcode({ link, yourSlot: () => 0, rates: () => known, now: () => clock.now });
  return {
    link,
    clock,
    netcode,
    learn: (next: GameRates) => {
      known = next;
    },
  };
}

const ship = (slot: number, x: number, vx = 0): SnapshotPlayer => ({ slot, x, y: 500, vx, vy: 0, score: 0 });

describe('GameNetcode', () => {
  it('sends nothing until the room’s rates are known', () => {
    const { link, clock, netcode, learn } = setup(null);
    for (let i = 0; i < 10; i++) {
      clock.now += 20;
      netcode.runTicks(Direction.right);
    }
    expect(link.sent).toHaveLength(0);
    learn(DEFAULT_GAME_RATES);
    netcode.runTicks(Direction.right);
    clock.now += 100;
    netcode.runTicks(Direction.right);
    expect(link.sent).toHaveLength(3);
  });

  it('repeats the previous inputs in each message, newest first (input redundancy)', () => {
    const { link, clock, netcode } = setup();
    const steering = [Direction.up, Direction.right, Direction.down, Direction.left, Direction.up];
    netcode.runTicks(0);
    for (const bits of steering) {
      clock.now += 1000 / 30;
      netcode.runTicks(bits);
    }
    const last = decodeInput(link.sent.at(-1) as Uint8Array);
    expect(last.ok && last.value).toMatchObject({
      seq: 5,
      bits: Direction.up,
      earlier: [Direction.left, Direction.down, Direction.right].slice(0, INPUT_REDUNDANCY),
    });
    const first = decodeInput(link.sent[0] as Uint8Array);
    expect(first.ok && first.value.earlier).toBeUndefined();
  });

  it('leaves acknowledged inputs out of the history', () => {
    const { link, clock, netcode } = setup();
    netcode.runTicks(0);
    for (let i = 0; i < 4; i++) {
      clock.now += 1000 / 30;
      netcode.runTicks(Direction.right);
    }
    link.snapshots.emit({ tick: 2, ackSeq: 3, serverTime: 0, players: [ship(0, 100)] });
    clock.now += 1000 / 30;
    netcode.runTicks(Direction.right);
    const last = decodeInput(link.sent.at(-1) as Uint8Array);
    expect(last.ok && last.value).toMatchObject({ seq: 5, earlier: [Direction.right] });
    // Input 3 left one tick before the snapshot acking it came.
    expect(netcode.stats().inputAckMs).toBeCloseTo(1000 / 30);
  });

  it('skips a tick to drain a queue the server holds, judged only on a snapshot that came on time', () => {
    const tickMs = 1000 / 30;
    const run = (lateMs: number) => {
      const { link, clock, netcode } = setup();
      netcode.runTicks(0);
      clock.now += tickMs;
      netcode.runTicks(0); // seq 1, acked at once: the round trip floor is 0 ticks
      link.snapshots.emit({ tick: 2, ackSeq: 1, serverTime: 0, players: [ship(0, 100)] });
      for (let i = 0; i < 6; i++) {
        clock.now += tickMs;
        netcode.runTicks(0); // seqs 2 to 7
      }
      clock.now += lateMs;
      // Only seq 2 applied: 5 inputs wait in the server's queue, beyond the 3 ticks of slack.
      link.snapshots.emit({ tick: 8, ackSeq: 2, serverTime: 0, players: [ship(0, 100)] });
      clock.now += tickMs;
      netcode.runTicks(0);
      return netcode.stats().inputs;
    };
    expect(run(0)).toMatchObject({ sent: 7, skipped: 1 });
    // The same acks in a snapshot held up 200 ms (a retransmission stall): no queue to drain.
    expect(run(200).skipped).toBe(0);
  });

  it('counts and sizes the corrections snapshots make to the prediction', () => {
    const { link, netcode } = setup();
    link.snapshots.emit({ tick: 2, ackSeq: 0, serverTime: 0, players: [ship(0, 100)] });
    link.snapshots.emit({ tick: 3, ackSeq: 0, serverTime: 0, players: [ship(0, 100)] });
    link.snapshots.emit({ tick: 5, ackSeq: 0, serverTime: 0, players: [ship(0, 112)] });
    expect(netcode.stats().corrections).toMatchObject({ count: 1, lastUnits: 12, maxUnits: 12 });
  });

  it('keeps a remote ship smooth at 150 ms ± 20 ms and 5 % loss: the delay adapts, the ship never jumps', () => {
    const { link, clock, netcode } = setup();
    const random = new SeededRandom(11);
    const tickMs = 1000 / 30;
    // The server's snapshots of ship 1 flying right at 240 units/s; each one-way 75 ± 10 ms, 5 % lost.
    const deliveries: { at: number; snapshot: SnapshotMessage }[] = [];
    for (let tick = 1; tick <= 300; tick++) {
      if (!isSnapshotTick(tick, DEFAULT_GAME_RATES) || random.next() < 0.05) continue;
      const x = 100 + (240 * tick) / 30;
      deliveries.push({
        at: 1000 + tick * tickMs + 75 + (random.next() * 2 - 1) * 10,
        snapshot: { tick, ackSeq: 0, serverTime: 0, players: [ship(0, 800), ship(1, x, 240)] },
      });
    }
    deliveries.sort((a, b) => a.at - b.at);
    let next = 0;
    // 9 s of frames: the snapshots above cover 10 s of server time.
    for (let frame = 0; frame < 540; frame++) {
      const frameAt = 1000 + frame * (1000 / 60);
      // Messages arrive between frames, each at its own time.
      for (let delivery = deliveries[next]; delivery && delivery.at <= frameAt; delivery = deliveries[++next]) {
        clock.now = delivery.at;
        link.snapshots.emit(delivery.snapshot);
      }
      clock.now = frameAt;
      netcode.frame(0);
      if (frame === 60) netcode.resetStats(); // past the first second: the delay has settled
    }
    const { interpolation, remote, snapshots } = netcode.stats();
    expect(snapshots.missing).toBeGreaterThan(0);
    expect(interpolation.delayMs).toBeGreaterThan(50);
    expect(interpolation.delayMs).toBeLessThan(CEILING_MS);
    // The first loss after a quiet spell finds no cover yet: one short, bounded extrapolation at most.
    expect(interpolation.dryRuns).toBeLessThanOrEqual(1);
    expect(interpolation.maxExtrapolatedMs).toBeLessThanOrEqual(DEFAULT_MAX_EXTRAPOLATION_MS);
    expect(remote.maxJumpUnits).toBeLessThan(2);
  });
});
