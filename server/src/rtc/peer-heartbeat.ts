import type { Logger } from '@starcatch/phoenix';
import { DataChannelLabel, ErrorCode, LinkProbe, type LinkProbeMessage, parseLinkProbe } from '@starcatch/shared';
import type { Clock } from '../limits/token-bucket.ts';
import type { OpenPeer, PeerRegistry } from './peer-registry.ts';
import type { RtcDataChannel } from './rtc-peer.ts';

export interface PeerHeartbeatOptions {
  /** How often each peer is pinged on `events`. */
  readonly intervalMs: number;
  /** A peer that sent nothing on either channel for this long is closed. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Milliseconds; `performance.now` by default. */
  readonly now?: Clock;
}

interface Watched {
  readonly peer: OpenPeer;
  /** When the peer last sent anything, on either channel. */
  heardAt: number;
  pings: number;
  /** When the latest ping went out, to time its pong. */
  pingSentAt: number;
}

/** The longest text on `events` read as a possible ping or pong; anything longer is not one. */
const MAX_PROBE_LENGTH = 64;

/**
 * Dead-peer detection. werift keeps reporting `connected` for a browser that closed its peer
 * connection but not its WebSocket (docs/webrtc.md §3), so the server pings every peer on
 * `events` and closes one that has been silent (no input, no pong) past the timeout; the client
 * then sees `webrtc:state {closed, reason: peer_timeout}`, plays over the WebSocket and may offer
 * again. One timer serves every peer.
 *
 * It also answers the client's own pings on `events` at once, so a tab can show its network round
 * trip on the DataChannels, apart from the input → ack time that includes waiting for ticks.
 */
export class PeerHeartbeat {
  readonly #options: PeerHeartbeatOptions;
  readonly #now: Clock;
  readonly #watched = new Map<string, Watched>();
  readonly #roundTrips = new Set<(ms: number) => void>();
  readonly #unlisten: () => void;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(peers: PeerRegistry, options: PeerHeartbeatOptions) {
    if (!(options.timeoutMs > options.intervalMs)) throw new Error('the peer timeout must exceed the ping interval');
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#unlisten = peers.listen({
      channelOpened: (peer, _label, channel) => this.#watch(peer, channel),
      peerClosed: (peer) => this.#forget(peer),
    });
  }

  /** Told the round trip of every answered ping, in ms (for metrics). Returns a remover. */
  onRoundTrip(listener: (ms: number) => void): () => void {
    this.#roundTrips.add(listener);
    return () => this.#roundTrips.delete(listener);
  }

  /** Peers being watched now. */
  get size(): number {
    return this.#watched.size;
  }

  dispose(): void {
    this.#unlisten();
    this.#watched.clear();
    this.#stopTimer();
  }

  #watch(peer: OpenPeer, channel: RtcDataChannel): void {
    let watched = this.#watched.get(peer.id);
    if (!watched) {
      watched = { peer, heardAt: this.#now(), pings: 0, pingSentAt: 0 };
      this.#watched.set(peer.id, watched);
    }
    const entry = watched;
    // Anything counts as a sign of life, inputs included: a player in a room never waits for a pong.
    channel.onMessage((data) => {
      entry.heardAt = this.#now();
      if (channel.label === DataChannelLabel.events && typeof data === 'string') this.#probe(entry, channel, data);
    });
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#beat(), this.#options.intervalMs);
      this.#timer.unref();
    }
  }

  #forget(peer: OpenPeer): void {
    this.#watched.delete(peer.id);
    if (this.#watched.size === 0) this.#stopTimer();
  }

  #beat(): void {
    const now = this.#now();
    for (const watched of [...this.#watched.values()]) {
      const silentMs = now - watched.heardAt;
      if (silentMs > this.#options.timeoutMs) {
        this.#options.logger.info({ userId: watched.peer.userId, peerId: watched.peer.id, silentMs }, 'peer timed out');
        this.#forget(watched.peer);
        watched.peer.close(ErrorCode.peerTimeout);
        continue;
      }
      const events = watched.peer.channels.get(DataChannelLabel.events);
      if (events?.readyState !== 'open') continue;
      const ping: LinkProbeMessage = { type: LinkProbe.ping, id: ++watched.pings };
      watched.pingSentAt = now;
      events.send(JSON.stringify(ping));
    }
  }

  /**
   * Answers a client's ping, and times the answer to our latest ping; an older or unknown pong is
   * only a sign of life.
   */
  #probe(watched: Watched, channel: RtcDataChannel, text: string): void {
    if (text.length > MAX_PROBE_LENGTH) return;
    let probe: LinkProbeMessage | null;
    try {
      probe = parseLinkProbe(JSON.parse(text));
    } catch {
      return;
    }
    if (probe?.type === LinkProbe.ping) {
      const pong: LinkProbeMessage = { type: LinkProbe.pong, id: probe.id };
      if (channel.readyState === 'open') channel.send(JSON.stringify(pong));
      return;
    }
    if (this.#roundTrips.size === 0 || probe?.type !== LinkProbe.pong || probe.id !== watched.pings) return;
    const ms = this.#now() - watched.pingSentAt;
    for (const listener of this.#roundTrips) listener(ms);
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
