import { randomUUID } from 'node:crypto';
import { DataChannelLabel, type ErrorCode } from '@starcatch/shared';
import type { OpenPeer } from './peer-registry.ts';
import type { RtcDataChannel, RtcPeer } from './rtc-peer.ts';

const LABELS: ReadonlySet<string> = new Set(Object.values(DataChannelLabel));

/** What a `NegotiatedPeer` reports to the session that owns it. */
export interface NegotiatedPeerEvents {
  channelOpened(peer: NegotiatedPeer, label: DataChannelLabel, channel: RtcDataChannel): void;
  /** `webrtc:close` semantics: the owner closes it (and reports `reason` to the client, if any). */
  closeRequested(peer: NegotiatedPeer, reason: ErrorCode | undefined): void;
}

/**
 * One `RtcPeer` and its negotiation state: the queue that runs its signaling steps one at a time,
 * the pushes held back until the answer is out, and the browser's two channels.
 */
export class NegotiatedPeer implements OpenPeer {
  readonly id = randomUUID();
  readonly userId: string;
  readonly connectionId: string;
  readonly engine: RtcPeer;
  readonly #channels = new Map<DataChannelLabel, RtcDataChannel>();
  readonly #announced = new Set<string>();
  readonly #events: NegotiatedPeerEvents;
  #tail: Promise<void> = Promise.resolve();
  /** Pushes from before the answer push (candidates, states); `null` once the answer is out. */
  #held: (() => void)[] | null = [];
  #closed = false;

  constructor(userId: string, connectionId: string, engine: RtcPeer, events: NegotiatedPeerEvents) {
    this.userId = userId;
    this.connectionId = connectionId;
    this.engine = engine;
    this.#events = events;
    engine.onDataChannel((channel) => this.#track(channel));
  }

  get channels(): ReadonlyMap<DataChannelLabel, RtcDataChannel> {
    return this.#channels;
  }

  get answered(): boolean {
    return this.#held === null;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs a signaling step after every earlier one, as a browser does: werift must not take a
   * candidate while it is still applying a description.
   */
  run<T>(step: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(step);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Runs `push` once the answer is out: the browser can use nothing sent before it. */
  afterAnswer(push: () => void): void {
    if (this.#held) this.#held.push(push);
    else push();
  }

  /** The answer push has been written: send what waited for it, in order. */
  answerSent(): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const push of held) push();
  }

  close(reason?: ErrorCode): void {
    this.#events.closeRequested(this, reason);
  }

  /** Marks the peer closed and releases the engine; only the owner calls this. */
  shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channels.clear();
    void this.engine.close();
  }

  #track(channel: RtcDataChannel): void {
    const { label } = channel;
    // Only the two labels the game speaks, once each: anything else would hold SCTP streams for nothing.
    if (this.#closed || !LABELS.has(label) || this.#announced.has(label)) {
      channel.close();
      return;
    }
    this.#announced.add(label);
    const known = label as DataChannelLabel;
    const opened = (): void => {
      if (this.#closed || this.#channels.get(known) === channel) return;
      this.#channels.set(known, channel);
      this.#events.channelOpened(this, known, channel);
    };
    channel.onStateChange((state) => {
      if (state === 'open') opened();
      else if (state === 'closed' && this.#channels.get(known) === channel) this.#channels.delete(known);
    });
    if (channel.readyState === 'open') opened();
  }
}
