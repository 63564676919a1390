/**
 * A werift peer that plays the browser against the real server: it creates `events` and `state`
 * before its offer, as the client does, and signals over a joined `user:<id>` channel with the
 * official phoenix client. Every packet stays on 127.0.0.0/8: only loopback pairs are checked and
 * only loopback candidates are sent.
 */
import { type IceCandidatePayload, type WebRtcAnswer, WebRtcEvent } from '@starcatch/shared';
import { type Channel, type PushOutcome, push } from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import {
  addLoopbackCandidate,
  createLoopbackOffer,
  createLoopbackOfferer,
  onLoopbackCandidate,
  type RTCDataChannel,
  type RTCPeerConnection,
} from '../support/loopback-offerer.ts';

/** Far above the ~100-300 ms a loopback connection takes, far below the test timeout. */
export const OPEN_TIMEOUT_MS = 5_000;

/** A signaling message the peer received, in arrival order. */
export interface Signal {
  readonly event: string;
  readonly payload: unknown;
}

export class BrowserPeer {
  readonly pc: RTCPeerConnection;
  readonly events: RTCDataChannel;
  readonly state: RTCDataChannel;
  /** `webrtc:*` pushes from the server, in order. */
  readonly signals: Signal[] = [];
  readonly #channel: Channel;
  readonly #handlers: [string, number][] = [];
  #tail: Promise<unknown> = Promise.resolve();
  /** Candidates gathered before the offer went out: the server only takes them after it. */
  #heldCandidates: IceCandidatePayload[] | null = [];

  constructor(channel: Channel) {
    this.#channel = channel;
    const { pc, events, state } = createLoopbackOfferer();
    this.pc = pc;
    this.events = events;
    this.state = state;

    this.#listen(WebRtcEvent.answer, (payload) => {
      this.#serially(() => this.pc.setRemoteDescription(payload as WebRtcAnswer));
    });
    this.#listen(WebRtcEvent.ice, (payload) => {
      this.#serially(() => addLoopbackCandidate(this.pc, payload as IceCandidatePayload));
    });
    this.#listen(WebRtcEvent.state, () => {});
    onLoopbackCandidate(this.pc, (json) => {
      if (this.#heldCandidates) this.#heldCandidates.push(json);
      else void push(this.#channel, WebRtcEvent.ice, json);
    });
  }

  /** Creates and sends the offer; resolves with the server's reply. Candidates follow it. */
  async offer(): Promise<PushOutcome> {
    return (await this.sendOffer()).reply;
  }

  /** Resolves once the offer push is on the socket, with its reply still to come. */
  async sendOffer(): Promise<{ reply: Promise<PushOutcome> }> {
    const sdp = await createLoopbackOffer(this.pc);
    const reply = push(this.#channel, WebRtcEvent.offer, { sdp, type: 'offer' });
    const held = this.#heldCandidates ?? [];
    this.#heldCandidates = null;
    for (const candidate of held) void push(this.#channel, WebRtcEvent.ice, candidate);
    return { reply };
  }

  /** Resolves once both DataChannels are open. */
  async bothOpen(timeoutMs = OPEN_TIMEOUT_MS): Promise<void> {
    await waitFor(() => this.events.readyState === 'open' && this.state.readyState === 'open', {
      what: 'both DataChannels to open',
      timeoutMs,
    });
  }

  /** The next message on a channel. */
  nextMessage(channel: RTCDataChannel, timeoutMs = OPEN_TIMEOUT_MS): Promise<string | Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message on "${channel.label}"`)), timeoutMs);
      const { unSubscribe } = channel.onMessage.subscribe((data) => {
        clearTimeout(timer);
        unSubscribe();
        resolve(data);
      });
    });
  }

  /** Stops listening to the channel and closes the connection. */
  async close(): Promise<void> {
    for (const [event, ref] of this.#handlers) this.#channel.off(event, ref);
    this.#handlers.length = 0;
    await this.pc.close().catch(() => undefined);
  }

  #listen(event: string, handler: (payload: unknown) => void): void {
    const ref = this.#channel.on(event, (payload: unknown) => {
      this.signals.push({ event, payload });
      handler(payload);
    });
    this.#handlers.push([event, ref]);
  }

  /** Like a browser, one signaling step at a time. */
  #serially(step: () => Promise<unknown>): void {
    this.#tail = this.#tail.then(step).catch(() => undefined);
  }
}
