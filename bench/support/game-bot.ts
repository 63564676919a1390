import {
  DEFAULT_GAME_RATES,
  Direction,
  encodeInput,
  LobbyEvent,
  type SnapshotMessage,
  snapshotTicksBetween,
  Topic,
} from '@starcatch/shared';
import type { Meter } from './bot-meter.ts';
import type { PhoenixWire } from './phoenix-wire.ts';

/**
 * What every bench bot does as a player besides signing in (`server/test/support/guest-sign-in.ts`):
 * create a room, send inputs, time their acks.
 */

/** Inputs a bot sends per second, as the client does. */
export const INPUT_RATE = 30;
/** Direction bits cycled through, so ships move and stars get caught (events flow too). */
const { up, down, left, right } = Direction;
const STEERING = [up, up | right, right, right | down, down, down | left, left, left | up];
/** Each steering held for this many inputs. */
const STEER_EVERY = 45;

/** Creates a room through the lobby, as the create-room button does; resolves with its id. */
export async function createRoom(wire: Pick<PhoenixWire, 'push'>, name: string, maxPlayers: number): Promise<string> {
  const reply = await wire.push(Topic.lobby, LobbyEvent.createRoom, { name, max_players: maxPlayers });
  const room = (reply.response as { room?: { id?: unknown } } | null)?.room;
  if (reply.status !== 'ok' || typeof room?.id !== 'string') {
    throw new Error(`${LobbyEvent.createRoom}: ${reply.status} ${JSON.stringify(reply.response)}`);
  }
  return room.id;
}

/**
 * A bot's inputs and the snapshots that acknowledge them, counted into a meter: each input is
 * timed to the first snapshot whose ack covers it, and the snapshot ticks skipped between two
 * received snapshots count as missed.
 */
export class InputAcks {
  readonly #meter: Meter;
  /** Inputs not yet acknowledged, oldest first: their seq and send time. */
  readonly #pendingSeq: number[] = [];
  readonly #pendingAt: number[] = [];
  #seq = 0;
  #ack = 0;
  /** The newest server tick seen in a snapshot. */
  #tick = -1;

  constructor(meter: Meter) {
    this.#meter = meter;
  }

  /** The next input, sent at `now` (performance.now() ms): its bytes, steering round in circles. */
  next(now: number): Uint8Array<ArrayBuffer> {
    const seq = ++this.#seq;
    const bits = STEERING[Math.floor(seq / STEER_EVERY) % STEERING.length] ?? 0;
    this.#pendingSeq.push(seq);
    this.#pendingAt.push(now);
    this.#meter.input(now);
    return encodeInput({ seq, bits, clientTime: Math.floor(now) });
  }

  /** A snapshot arrived at `at`: its ack settles every input it covers. */
  snapshot(at: number, { ackSeq, tick }: Pick<SnapshotMessage, 'ackSeq' | 'tick'>): void {
    this.#meter.snapshot(at, this.#seq - Math.max(ackSeq, this.#ack));
    if (this.#tick >= 0 && tick > this.#tick) {
      this.#meter.advance(at, tick - this.#tick, snapshotTicksBetween(this.#tick, tick, DEFAULT_GAME_RATES));
    }
    this.#tick = Math.max(this.#tick, tick);
    // `state` is unordered: an older snapshot arriving late acknowledges nothing new.
    if (ackSeq <= this.#ack) return;
    this.#ack = ackSeq;
    let settled = 0;
    while (settled < this.#pendingSeq.length && (this.#pendingSeq[settled] ?? 0) <= ackSeq) {
      this.#meter.ack(this.#pendingAt[settled] ?? at, at);
      settled++;
    }
    this.#pendingSeq.splice(0, settled);
    this.#pendingAt.splice(0, settled);
  }
}
