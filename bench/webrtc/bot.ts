import { decodeSnapshot, Topic } from '@starcatch/shared';
import { signInGuest } from '../../server/test/support/guest-sign-in.ts';
import { createLoopbackOfferer, type LoopbackOfferer } from '../../server/test/support/loopback-offerer.ts';
import type { Meter } from '../support/bot-meter.ts';
import { INPUT_RATE, InputAcks } from '../support/game-bot.ts';
import { negotiateLoopbackPeer } from '../support/loopback-negotiation.ts';
import { PhoenixWire } from '../support/phoenix-wire.ts';

/**
 * One player as a browser tab plays: a guest session, a Phoenix socket, a werift offerer with
 * `events` and `state` signalled on `user:<id>`, then `room:<id>` and inputs on `state` at 30 Hz.
 * Every snapshot's ack settles the inputs it covers, timed against the meter's window.
 */
export class Bot {
  readonly #wire: PhoenixWire;
  readonly #peer: LoopbackOfferer;
  readonly #inputs: InputAcks;
  /** When the next input is due (performance.now() ms); set by `play`. */
  nextInputAt = Number.POSITIVE_INFINITY;
  /** Set when the socket or a DataChannel went away before `close()`. */
  lost = false;

  private constructor(wire: PhoenixWire, peer: LoopbackOfferer, meter: Meter) {
    this.#wire = wire;
    this.#peer = peer;
    this.#inputs = new InputAcks(meter);
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
    const { token, user } = await signInGuest(urls.http, nickname);
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
    this.#peer.state.send(Buffer.from(this.#inputs.next(now).buffer));
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
    if (decoded.ok) this.#inputs.snapshot(at, decoded.value);
  }
}
