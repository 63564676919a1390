import {
  ARENA_MAP,
  bitsFromStick,
  GameEvent,
  type GameRates,
  type NetworkConditions,
  NetworkImpairment,
  type PlayerTransport,
  ratesOfSync,
  SeededRandom,
  Topic,
} from '@starcatch/shared';
import { GameNetcode } from '../../client/src/game/game-netcode.ts';
import type { NetcodeStats } from '../../client/src/state/netcode-stats.ts';
import { signInGuest } from '../../server/test/support/guest-sign-in.ts';
import { createLoopbackOfferer, type LoopbackOfferer } from '../../server/test/support/loopback-offerer.ts';
import { createRoom } from '../support/game-bot.ts';
import { negotiateLoopbackPeer } from '../support/loopback-negotiation.ts';
import { PhoenixWire } from '../support/phoenix-wire.ts';
import { type BotLink, DataChannelBotLink, WebSocketBotLink } from './bot-links.ts';

/** A rendered frame every 16.7 ms, as a 60 Hz display would ask for. */
const FRAME_MS = 1000 / 60;
/** How often the network round trip is probed, as a tab in a room does. */
const PROBE_MS = 1000;
/** Each cycle the pilot rests this long (the ship stops within 0.8 s), then flies. */
const REST_MS = 1500;
const FLY_MS = 900;
/** The drawn ship counts as moving once it is this far from where it rested. */
const MOVED_UNITS = 1;
/** A remote ship counts as resting when it was drawn in the same place for this long. */
const RESTING_MS = 250;

const NODE_TIMERS = {
  now: () => performance.now(),
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
};

export interface BotUrls {
  readonly http: string;
  /** `ws://…/socket` (the `/websocket` suffix is added). */
  readonly socket: string;
}

interface Watched {
  /** Where this bot last drew the ship, and since when it has been there. */
  x: number;
  y: number;
  stillSince: number;
  /** A press of the ship's pilot not yet seen move here: when, and where the ship rested. */
  press: { readonly at: number; readonly x: number; readonly y: number } | null;
}

/**
 * A headless player that runs the client's own netcode (`GameNetcode`: prediction, reconciliation,
 * interpolation, smoothing, input redundancy) against the real server, over a real DataChannel or
 * the WebSocket, through the same simulated bad network a tab uses. It flies rest-then-go cycles
 * (a still ship that starts moving is what the others' view delay is timed on), renders frames at
 * 60 Hz, and measures what a player would perceive.
 */
export class NetcodeBot {
  readonly userId: string;
  readonly transport: PlayerTransport;
  /** Milliseconds from another bot's key press to this bot drawing that ship move. */
  readonly viewDelays: number[] = [];
  readonly #wire: PhoenixWire;
  readonly #peer: LoopbackOfferer | null;
  readonly #impairment: NetworkImpairment;
  readonly #random: SeededRandom;
  readonly #watched = new Map<number, Watched>();
  readonly #pressListeners = new Set<(at: number) => void>();
  #link: BotLink | null = null;
  #netcode: GameNetcode | null = null;
  #slot: number | null = null;
  #rates: GameRates | null = null;
  #timers: NodeJS.Timeout[] = [];
  #bits = 0;
  #phaseStartedAt = 0;
  #flying = false;

  private constructor(
    userId: string,
    transport: PlayerTransport,
    wire: PhoenixWire,
    peer: LoopbackOfferer | null,
    impairment: NetworkImpairment,
    seed: number,
  ) {
    this.userId = userId;
    this.transport = transport;
    this.#wire = wire;
    this.#peer = peer;
    this.#impairment = impairment;
    this.#random = new SeededRandom(seed);
  }

  /** Signs in, opens the socket (and the DataChannels for WebRTC), all through `conditions`. */
  static async connect(
    urls: BotUrls,
    nickname: string,
    transport: PlayerTransport,
    conditions: NetworkConditions,
    seed: number,
    openTimeoutMs: number,
  ): Promise<NetcodeBot> {
    const random = new SeededRandom(seed ^ 0x5bd1e995);
    const impairment = new NetworkImpairment(conditions, { timers: NODE_TIMERS, random: () => random.next() });
    const { token, user } = await signInGuest(urls.http, nickname);
    const wire = await PhoenixWire.open(urls.socket, token, { impairment });
    let peer: LoopbackOfferer | null = null;
    try {
      await wire.join(Topic.lobby);
      if (transport === 'webrtc') {
        const topic = Topic.user(user.id);
        await wire.join(topic);
        peer = createLoopbackOfferer();
        await negotiateLoopbackPeer(wire, topic, peer, openTimeoutMs);
      }
      return new NetcodeBot(user.id, transport, wire, peer, impairment, seed);
    } catch (cause) {
      wire.close();
      if (peer) void peer.pc.close().catch(() => undefined);
      throw cause;
    }
  }

  /** Creates a room through the lobby, as the create-room button does; resolves with its id. */
  createRoom(name: string, maxPlayers: number): Promise<string> {
    return createRoom(this.#wire, name, maxPlayers);
  }

  /**
   * Joins the room and starts playing: the step timer, 60 Hz frames and the round-trip probe.
   * `inputRedundancy` overrides the client's INPUT_REDUNDANCY (0: plain 11-byte inputs).
   */
  async play(roomId: string, inputRedundancy?: number): Promise<void> {
    const topic = Topic.room(roomId);
    const link: BotLink = this.#peer
      ? new DataChannelBotLink(this.#peer, this.#impairment)
      : new WebSocketBotLink(this.#wire, topic);
    link.onEvent((event) => {
      if (event.type === GameEvent.sync) this.#rates = ratesOfSync(event);
    });
    this.#link = link;
    const reply = (await this.#wire.join(topic)) as { slot?: unknown };
    if (typeof reply.slot !== 'number') throw new Error(`room join reply without a slot: ${JSON.stringify(reply)}`);
    this.#slot = reply.slot;
    const netcode = new GameNetcode({
      link,
      yourSlot: () => this.#slot,
      rates: () => this.#rates,
      ...(inputRedundancy !== undefined && { inputRedundancy }),
    });
    this.#netcode = netcode;
    this.#phaseStartedAt = performance.now() + this.#random.next() * REST_MS;
    const tickEvery = 1000 / 60;
    this.#timers.push(
      setInterval(() => netcode.runTicks(this.#steer()), tickEvery),
      setInterval(() => this.#frame(), FRAME_MS),
      setInterval(() => link.probe(), PROBE_MS),
    );
  }

  /** Told the time of every key press of this bot's pilot (a still ship starting to move). */
  onPress(listener: (at: number) => void): void {
    this.#pressListeners.add(listener);
  }

  /** Another bot in `slot` pressed a key at `at`: time how long until this bot draws it moving. */
  watchPress(slot: number, at: number): void {
    const watched = this.#watched.get(slot);
    // Only a ship drawn at rest can be seen to start: otherwise the press is not what moved it.
    if (!watched || at - watched.stillSince < RESTING_MS) return;
    watched.press = { at, x: watched.x, y: watched.y };
  }

  get slot(): number | null {
    return this.#slot;
  }

  get link(): BotLink | null {
    return this.#link;
  }

  stats(): NetcodeStats | null {
    return this.#netcode?.stats() ?? null;
  }

  /** Starts the measurement window: maxima and percentiles from here. */
  resetStats(): void {
    this.#netcode?.resetStats();
    this.viewDelays.length = 0;
    this.#link?.ackTimes.splice(0);
    this.#link?.roundTrips.splice(0);
  }

  close(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.#netcode?.dispose();
    this.#link?.close();
    this.#wire.close();
    if (this.#peer) void this.#peer.pc.close().catch(() => undefined);
  }

  /** Rest, then fly towards a random spawn point for a while, then rest again. */
  #steer(): number {
    const now = performance.now();
    const elapsed = now - this.#phaseStartedAt;
    if (!this.#flying && elapsed >= REST_MS) {
      this.#flying = true;
      this.#phaseStartedAt = now;
      const points = ARENA_MAP.spawnPoints;
      const target = points[Math.floor(this.#random.next() * points.length)] ?? { x: 800, y: 500 };
      const ship = this.#netcode?.ship ?? { x: 800, y: 500 };
      this.#bits = bitsFromStick(target.x - ship.x, target.y - ship.y, 40) || bitsFromStick(1, 0);
      for (const listener of this.#pressListeners) listener(now);
    } else if (this.#flying && elapsed >= FLY_MS) {
      this.#flying = false;
      this.#phaseStartedAt = now;
      this.#bits = 0;
    }
    return this.#bits;
  }

  #frame(): void {
    const netcode = this.#netcode;
    if (!netcode) return;
    const now = performance.now();
    for (const [slot, at] of netcode.frame(this.#steer()).remote) {
      const watched = this.#watched.get(slot);
      if (!watched) {
        this.#watched.set(slot, { x: at.x, y: at.y, stillSince: now, press: null });
        continue;
      }
      if (watched.press && Math.hypot(at.x - watched.press.x, at.y - watched.press.y) > MOVED_UNITS) {
        this.viewDelays.push(now - watched.press.at);
        watched.press = null;
      }
      if (at.x !== watched.x || at.y !== watched.y) watched.stillSince = now;
      watched.x = at.x;
      watched.y = at.y;
    }
  }
}
