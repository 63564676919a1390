import {
  ApiPath,
  Direction,
  decodeSnapshot,
  encodeInput,
  LobbyEvent,
  type SessionResponse,
  SNAPSHOT_RATE,
  TICK_RATE,
  Topic,
} from '@starcatch/shared';
import { createLoopbackOfferer, type LoopbackOfferer } from '../../server/test/support/loopback-offerer.ts';
import { negotiateLoopbackPeer } from '../support/loopback-negotiation.ts';
import { PhoenixWire } from '../support/phoenix-wire.ts';
import type { Meter } from './meter.ts';

/** Inputs a bot sends per second, as the client does. */
export const INPUT_RATE = 30;
/** Direction bits cycled through, so ships move and stars get caught (events flow too). */
const { up, down, left, right } = Direction;
const STEERING = [up, up | right, right, right | down, down, down | left, left, left | up];
/** Each steering held for this many inputs. */
const STEER_EVERY = 45;

/**
 * Signs in a guest through the real API. `forwardedFor` sends an `X-Forwarded-For` (the client
 * address a server with `TRUSTED_PROXIES=127.0.0.1` counts its per-address budgets against).
 */
export async function signIn(httpUrl: string, nickname: string, forwardedFor?: string): Promise<SessionResponse> {
  const response = await fetch(`${httpUrl}${ApiPath.session}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor && { 'x-forwarded-for': forwardedFor }) },
    body: JSON.stringify({ nickname }),
  });
  if (response.status !== 201) throw new Error(`sign-in: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as SessionResponse;
}

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
 * One player as a browser tab plays: a guest session, a Phoenix socket, a werift offerer with
 * `events` and `state` signalled on `user:<id>`, then `room:<id>` and inputs on `state` at 30 Hz.
 * Every snapshot's ack settles the inputs it covers, timed against the meter's window.
 */
export class Bot {
  readonly #wire: PhoenixWire;
  readonly #peer: LoopbackOfferer;
  readonly #meter: Meter;
  /** Inputs not yet acknowledged, oldest first: their seq and send time. */
  readonly #pendingSeq: number[] = [];
  readonly #pendingAt: number[] = [];
  #seq = 0;
  #ack = 0;
  /** The newest server tick seen in a snapshot. */
  #tick = -1;
  /** When the next input is due (performance.now() ms); set by `play`. */
  nextInputAt = Number.POSITIVE_INFINITY;
  /** Set when the socket or a DataChannel went away before `close()`. */
  lost = false;

  private constructor(wire: PhoenixWire, peer: LoopbackOfferer, meter: Meter) {
    this.#wire = wire;
    this.#peer = peer;
    this.#meter = meter;
    wire.onLost = () => {
      this.lost = true;
    };
    peer.state.onMessage.subscribe((data) => this.#snapshot(data));
    peer.events.onMessage.subscribe(() => meter.event(performance.now()));
    for (const channel of [peer.state, peer.events]) {
      channel.stateChanged.subscribe((state) => {
        if (state === 'closed') this.lost = true;
      });
    }
  }

  /** Signs in, opens the socket and negotiates the peer; resolves once both DataChannels are open. */
  static async connect(
    urls: { readonly http: string; readonly socket: string },
    nickname: string,
    meter: Meter,
    openTimeoutMs: number,
  ): Promise<Bot> {
    const { token, user } = await signIn(urls.http, nickname);
    const wire = await PhoenixWire.open(urls.socket, token);
    const peer = createLoopbackOfferer();
    try {
      const topic = Topic.user(user.id);
      await wire.join(topic);
      await negotiateLoopbackPeer(wire, topic, peer, openTimeoutMs);
      return new Bot(wire, peer, meter);
    } catch (cause) {
      wire.close();
      void peer.pc.close().catch(() => undefined);
      throw cause;
    }
  }

  /** Joins the room; its game traffic comes on the DataChannels from the first message. */
  async joinRoom(roomId: string): Promise<void> {
    await this.#wire.join(Topic.room(roomId));
  }

  /** Starts the 30 Hz input clock at a random phase. */
  play(now: number): void {
    this.nextInputAt = now + Math.random() * (1000 / INPUT_RATE);
  }

  /** Sends the input that is due. */
  sendInput(now: number): void {
    const seq = ++this.#seq;
    const bits = STEERING[Math.floor(seq / STEER_EVERY) % STEERING.length] ?? 0;
    this.#peer.state.send(Buffer.from(encodeInput({ seq, bits, clientTime: Math.floor(now) }).buffer));
    this.#pendingSeq.push(seq);
    this.#pendingAt.push(now);
    this.#meter.input(now);
    this.nextInputAt += 1000 / INPUT_RATE;
    // Fell far behind (a stalled process): skip ahead instead of bursting.
    if (this.nextInputAt < now) this.nextInputAt = now + 1000 / INPUT_RATE;
  }

  close(): void {
    this.nextInputAt = Number.POSITIVE_INFINITY;
    this.#wire.close();
    void this.#peer.pc.close().catch(() => undefined);
  }

  #snapshot(data: string | Buffer): void {
    const at = performance.now();
    if (typeof data === 'string') return;
    const decoded = decodeSnapshot(data);
    if (!decoded.ok) return;
    const { ackSeq, tick } = decoded.value;
    this.#meter.snapshot(at, this.#seq - Math.max(ackSeq, this.#ack));
    if (this.#tick >= 0 && tick > this.#tick) {
      this.#meter.advance(at, tick - this.#tick, snapshotTicksBetween(this.#tick, tick));
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

/** Snapshot ticks strictly between two ticks: the server snapshots on 2 ticks of 3 (20 Hz of 30). */
export function snapshotTicksBetween(from: number, to: number): number {
  return Math.floor(((to - 1) * SNAPSHOT_RATE) / TICK_RATE) - Math.floor((from * SNAPSHOT_RATE) / TICK_RATE);
}
