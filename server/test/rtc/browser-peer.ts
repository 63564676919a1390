/**
 * A werift peer that plays the browser against the real server: it creates `events` and `state`
 * before its offer, as the client does, and signals over a joined `user:<id>` channel with the
 * official phoenix client. Every packet stays on 127.0.0.0/8: only loopback pairs are checked and
 * only loopback candidates are sent.
 */
import {
  DATA_CHANNEL_OPTIONS,
  DataChannelLabel,
  type IceCandidatePayload,
  type WebRtcAnswer,
  WebRtcEvent,
} from '@starcatch/shared';
import { type RTCDataChannel, RTCPeerConnection } from 'werift';
import { type Channel, type PushOutcome, push } from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';

/** Far above the ~100-300 ms a loopback connection takes, far below the test timeout. */
export const OPEN_TIMEOUT_MS = 5_000;

const isLoopback = (address: string | undefined): boolean => address?.startsWith('127.') ?? false;
const candidateAddress = (line: string): string | undefined => line.replace(/^a=/, '').split(' ')[4];

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
    this.pc = new RTCPeerConnection({
      iceServers: [],
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      iceFilterCandidatePair: (pair) =>
        isLoopback(pair.protocol.localCandidate?.host) && isLoopback(pair.remoteCandidate.host),
    });
    this.events = this.pc.createDataChannel(DataChannelLabel.events, { ...DATA_CHANNEL_OPTIONS.events });
    this.state = this.pc.createDataChannel(DataChannelLabel.state, { ...DATA_CHANNEL_OPTIONS.state });

    this.#listen(WebRtcEvent.answer, (payload) => {
      this.#serially(() => this.pc.setRemoteDescription(payload as WebRtcAnswer));
    });
    this.#listen(WebRtcEvent.ice, (payload) => {
      const candidate = payload as IceCandidatePayload;
      if (isLoopback(candidateAddress(candidate.candidate))) {
        this.#serially(() => this.pc.addIceCandidate(candidate as Parameters<RTCPeerConnection['addIceCandidate']>[0]));
      }
    });
    this.#listen(WebRtcEvent.state, () => {});
    this.pc.onIceCandidate.subscribe((candidate) => {
      if (!candidate?.candidate || !isLoopback(candidateAddress(candidate.candidate))) return;
      const json = candidate.toJSON();
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
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    const reply = push(this.#channel, WebRtcEvent.offer, { sdp: loopbackOnly(offer.sdp), type: 'offer' });
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

/** werift may list every gathered candidate in the SDP; keep the loopback ones. */
function loopbackOnly(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || isLoopback(candidateAddress(line)))
    .join('\r\n');
}
