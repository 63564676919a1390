import {
  decodeSnapshot,
  GameChannelEvent,
  PlayerTransport,
  StateEncoding,
  Topic,
  WebRtcEvent,
  type WebRtcStatePayload,
} from '@starcatch/shared';
import { signInGuest } from '../../server/test/support/guest-sign-in.ts';
import { createLoopbackOfferer, type LoopbackOfferer } from '../../server/test/support/loopback-offerer.ts';
import { Meter } from '../support/bot-meter.ts';
import { INPUT_RATE, InputAcks } from '../support/game-bot.ts';
import { negotiateLoopbackPeer } from '../support/loopback-negotiation.ts';
import { PhoenixWire } from '../support/phoenix-wire.ts';

/** How a bot's game traffic travels: DataChannels to the room's host, or `room:<id>` on its socket. */
export type BotTransport = PlayerTransport;

const INPUT_PERIOD_MS = 1000 / INPUT_RATE;
/** Every bot's phase moves on by PHASE_STEP of the period each PHASE_EPOCH_MS (golden ratio: well spread). */
const PHASE_EPOCH_MS = 1000;
const PHASE_STEP = 0.618_033_988_75;
/** Epoch numbers are taken modulo this, which keeps `epoch × PHASE_STEP` exact enough. */
const PHASE_EPOCHS = 1_000_000;
const ALIGN_SLACK_MS = 0.01;

/** What one bot saw in a measured window. */
export interface BotWindow {
  readonly label: string;
  /** Where in the input period (0–1) it sends. */
  readonly phase: number;
  readonly transport: BotTransport;
  readonly inputs: number;
  readonly snapshots: number;
  /** Of `snapshots`, those that came over the WebSocket (a WebRTC bot should have none). */
  readonly snapshotsOverSocket: number;
  readonly events: number;
  readonly ticks: number;
  readonly missedSnapshots: number;
  readonly unackedAtSnapshots: number;
  /** Input → acknowledging snapshot of the window's inputs, ms (unsorted). */
  readonly rtts: Float64Array;
  readonly lost: boolean;
  readonly lostReason: string | undefined;
}

/**
 * A player as a cluster-aware tab plays, on the node its socket is on: a guest session, `user:<id>`,
 * then `room:<id>` FIRST (its node may relay the seat to the room's host), and only then, for
 * WebRTC, the offer: the node forwards it to the host, so the peer is made where the room runs and
 * no `peer_moved` comes. (`webrtc/bot.ts` offers before joining, which on a cluster makes the peer
 * on the socket's node and has it closed when the room is elsewhere.) Over WebRTC inputs go on
 * `state`; on the WebSocket fallback they are binary `input` pushes on `room:<id>` and snapshots
 * come back as binary `snapshot` pushes. Each bot has its own meter, so figures are per bot.
 *
 * Inputs: 30 per second, at a phase of the input period the suite chooses, moved on every second.
 * A bot's latency depends on where its inputs fall against the room's 30 Hz tick (up to 33 ms apart
 * at p50 with nothing else different), and a delay of 1 ms costs a whole tick to the phases just
 * before the tick: so the suite gives each host bot a remote twin with the same phase, and every
 * second all phases move on by the same step, so that over a window each twin pair samples many
 * phases. A phase only ever moves later, so two inputs are never closer than a period. (Sending each
 * input at a random point of its slot would sometimes put two in one tick: the room applies one
 * per tick, and at a steady 30 Hz that backlog persists, a random walk of queueing delay.)
 */
export class ClusterBot {
  readonly label: string;
  readonly transport: BotTransport;
  readonly phase: number;
  readonly meter = new Meter();
  readonly #wire: PhoenixWire;
  readonly #roomTopic: string;
  #peer: LoopbackOfferer | undefined;
  readonly #inputs = new InputAcks(this.meter);
  #windowStart = Number.POSITIVE_INFINITY;
  #windowEnd = Number.NEGATIVE_INFINITY;
  #snapshotsOverSocket = 0;
  nextInputAt = Number.POSITIVE_INFINITY;
  lost = false;
  lostReason: string | undefined;

  private constructor(wire: PhoenixWire, roomTopic: string, label: string, transport: BotTransport, phase: number) {
    this.#wire = wire;
    this.#roomTopic = roomTopic;
    this.label = label;
    this.transport = transport;
    this.phase = phase;
    wire.onLost = () => this.#lose('socket closed');
    wire.onBinary(roomTopic, GameChannelEvent.snapshot, (data) => this.#snapshot(data, PlayerTransport.websocket));
    wire.on(roomTopic, GameChannelEvent.event, () => this.meter.event(performance.now()));
  }

  /**
   * Signs in, joins `user:<id>` and `room:<id>`; for WebRTC then negotiates the peer and resolves
   * once both DataChannels are open.
   */
  static async connect(
    urls: { readonly http: string; readonly socket: string },
    player: {
      readonly nickname: string;
      readonly roomId: string;
      readonly label: string;
      readonly transport: BotTransport;
      readonly phase: number;
      readonly forwardedFor?: string | undefined;
    },
    openTimeoutMs: number,
  ): Promise<ClusterBot> {
    const { transport } = player;
    const { token, user } = await signInGuest(urls.http, player.nickname, player.forwardedFor);
    const wire = await PhoenixWire.open(urls.socket, token, { forwardedFor: player.forwardedFor });
    const bot = new ClusterBot(wire, Topic.room(player.roomId), player.label, transport, player.phase);
    try {
      const userTopic = Topic.user(user.id);
      wire.on(userTopic, WebRtcEvent.state, (payload) => {
        const { state, reason } = payload as WebRtcStatePayload;
        if (state === 'closed' || state === 'failed') bot.#lose(`webrtc:state ${state}${reason ? ` (${reason})` : ''}`);
      });
      await wire.join(userTopic);
      const joined = (await wire.join(bot.#roomTopic)) as { state_encoding?: unknown } | null;
      if (joined?.state_encoding !== StateEncoding.binary) {
        throw new Error(`room join: state_encoding ${String(joined?.state_encoding)}, expected binary`);
      }
      if (transport === PlayerTransport.webrtc) await bot.#negotiate(userTopic, openTimeoutMs);
      return bot;
    } catch (cause) {
      bot.close();
      throw cause;
    }
  }

  /**
   * Starts the 30 Hz input clock at the bot's phase of the input period, on the clock every process
   * of the machine shares (`performance.timeOrigin + performance.now()`), so bots in different
   * processes given the same phase send at the same moments.
   */
  play(now: number): void {
    this.nextInputAt = this.#alignedFrom(now);
  }

  /**
   * The bot's phase during the phase epoch that contains `at`: its own phase, moved on by
   * PHASE_STEP every epoch, the same for every bot of the machine (the epoch comes from the shared
   * clock), so twins stay twins while both sample many phases over a window.
   */
  #phaseAt(at: number): number {
    const epoch = Math.floor((performance.timeOrigin + at) / PHASE_EPOCH_MS) % PHASE_EPOCHS;
    return (this.phase + epoch * PHASE_STEP) % 1;
  }

  /** The first moment at or after `at` (performance.now() ms) that is on the bot's current phase. */
  #alignedFrom(at: number): number {
    const target = this.#phaseAt(at) * INPUT_PERIOD_MS;
    let offset = (((target - (performance.timeOrigin + at)) % INPUT_PERIOD_MS) + INPUT_PERIOD_MS) % INPUT_PERIOD_MS;
    // Rounding of an instant already on the phase must not cost a whole period.
    if (offset > INPUT_PERIOD_MS - ALIGN_SLACK_MS) offset = 0;
    return at + offset;
  }

  /** Starts counting a window `[start, end)` from zero. */
  open(start: number, end: number): void {
    this.meter.open(start, end);
    this.#windowStart = start;
    this.#windowEnd = end;
    this.#snapshotsOverSocket = 0;
  }

  report(): BotWindow {
    const m = this.meter;
    return {
      label: this.label,
      phase: this.phase,
      transport: this.transport,
      inputs: m.inputs,
      snapshots: m.snapshots,
      snapshotsOverSocket: this.#snapshotsOverSocket,
      events: m.events,
      ticks: m.ticks,
      missedSnapshots: m.missedSnapshots,
      unackedAtSnapshots: m.unackedAtSnapshots,
      rtts: m.rtts(),
      lost: this.lost,
      lostReason: this.lostReason,
    };
  }

  sendInput(now: number): void {
    const input = this.#inputs.next(now);
    if (this.#peer) this.#peer.state.send(Buffer.from(input.buffer));
    else this.#wire.pushBinary(this.#roomTopic, GameChannelEvent.input, input);
    // One period on, then later (never earlier) to the phase of that moment's epoch: no two inputs
    // closer than a period. Fell behind (a stalled process): the next slot after now, no burst.
    this.nextInputAt = this.#alignedFrom(this.nextInputAt + INPUT_PERIOD_MS);
    if (this.nextInputAt < now) this.nextInputAt = this.#alignedFrom(now);
  }

  close(): void {
    this.nextInputAt = Number.POSITIVE_INFINITY;
    this.#wire.close();
    void this.#peer?.pc.close().catch(() => undefined);
  }

  #lose(reason: string): void {
    if (this.lost) return;
    this.lost = true;
    this.lostReason = reason;
  }

  /** As `webrtc/bot.ts`: the browser's negotiation, then the DataChannels' traffic is measured. */
  async #negotiate(userTopic: string, openTimeoutMs: number): Promise<void> {
    const peer = createLoopbackOfferer();
    this.#peer = peer;
    await negotiateLoopbackPeer(this.#wire, userTopic, peer, openTimeoutMs);
    peer.state.onMessage.subscribe((data) => {
      if (typeof data !== 'string') this.#snapshot(data, PlayerTransport.webrtc);
    });
    peer.events.onMessage.subscribe(() => this.meter.event(performance.now()));
    for (const channel of [peer.state, peer.events]) {
      channel.stateChanged.subscribe((state) => {
        if (state === 'closed') this.#lose(`DataChannel ${channel.label} closed`);
      });
    }
  }

  #snapshot(data: Uint8Array, path: BotTransport): void {
    const at = performance.now();
    const decoded = decodeSnapshot(data);
    if (!decoded.ok) return;
    if (path === PlayerTransport.websocket && at >= this.#windowStart && at < this.#windowEnd)
      this.#snapshotsOverSocket++;
    this.#inputs.snapshot(at, decoded.value);
  }
}
