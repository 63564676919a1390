import type { IceCandidatePayload, PeerConnectionState } from '@starcatch/shared';
import type {
  DataChannelState,
  RemoteCandidate,
  RtcDataChannel,
  RtcPeer,
  RtcPeerFactory,
} from '../../src/rtc/rtc-peer.ts';

export const FAKE_ANSWER_SDP = 'v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n';
export const HOST_CANDIDATE: IceCandidatePayload = {
  candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'abcd',
};

/**
 * A scripted `RtcPeer`: records what the session asked of it, and lets a test fire the engine's
 * events (candidates, state changes, DataChannels) at chosen moments.
 */
export class FakePeer implements RtcPeer {
  /** Engine calls in order: `acceptOffer`, `createAnswer`, `addRemoteCandidate:<candidate>`, `close`. */
  readonly calls: string[] = [];
  connectionState: PeerConnectionState = 'new';
  /** Set to make `acceptOffer` / `createAnswer` reject. */
  refuseOffer: Error | undefined;
  failAnswer: Error | undefined;
  /** Candidates and a state change to report while the answer is being created, as werift does. */
  candidatesDuringAnswer: IceCandidatePayload[] = [HOST_CANDIDATE];
  stateDuringAnswer: PeerConnectionState | undefined;
  /** Resolves `acceptOffer`; replace with a pending promise to hold it. */
  offerGate: Promise<void> = Promise.resolve();
  readonly #candidateListeners: ((candidate: IceCandidatePayload) => void)[] = [];
  readonly #channelListeners: ((channel: RtcDataChannel) => void)[] = [];
  readonly #stateListeners: ((state: PeerConnectionState) => void)[] = [];

  async acceptOffer(): Promise<void> {
    this.calls.push('acceptOffer');
    await this.offerGate;
    if (this.refuseOffer) throw this.refuseOffer;
  }

  async createAnswer(): Promise<string> {
    this.calls.push('createAnswer');
    if (this.failAnswer) throw this.failAnswer;
    for (const candidate of this.candidatesDuringAnswer) this.emitCandidate(candidate);
    if (this.stateDuringAnswer) this.setState(this.stateDuringAnswer);
    return FAKE_ANSWER_SDP;
  }

  async addRemoteCandidate(candidate: RemoteCandidate): Promise<void> {
    this.calls.push(`addRemoteCandidate:${candidate.candidate}`);
    if (candidate.sdpMid === 'refuse') throw new Error('no such m-line');
  }

  onLocalCandidate(listener: (candidate: IceCandidatePayload) => void): void {
    this.#candidateListeners.push(listener);
  }

  onDataChannel(listener: (channel: RtcDataChannel) => void): void {
    this.#channelListeners.push(listener);
  }

  onStateChange(listener: (state: PeerConnectionState) => void): void {
    this.#stateListeners.push(listener);
  }

  async close(): Promise<void> {
    this.calls.push('close');
    this.setState('closed');
  }

  get closed(): boolean {
    return this.calls.includes('close');
  }

  emitCandidate(candidate: IceCandidatePayload): void {
    for (const listener of this.#candidateListeners) listener(candidate);
  }

  setState(state: PeerConnectionState): void {
    this.connectionState = state;
    for (const listener of this.#stateListeners) listener(state);
  }

  /** The browser's DCEP OPEN for `label`: announced, then open. */
  openChannel(label: string, options: { ordered?: boolean; maxRetransmits?: number | null } = {}): FakeDataChannel {
    const channel = new FakeDataChannel(label, options.ordered ?? true, options.maxRetransmits ?? null);
    for (const listener of this.#channelListeners) listener(channel);
    if (channel.readyState === 'connecting') channel.setState('open');
    return channel;
  }
}

export class FakeDataChannel implements RtcDataChannel {
  readonly label: string;
  readonly ordered: boolean;
  readonly maxRetransmits: number | null;
  readyState: DataChannelState = 'connecting';
  bufferedAmount = 0;
  readonly sent: (string | Uint8Array)[] = [];
  readonly #stateListeners: ((state: DataChannelState) => void)[] = [];

  constructor(label: string, ordered: boolean, maxRetransmits: number | null) {
    this.label = label;
    this.ordered = ordered;
    this.maxRetransmits = maxRetransmits;
  }

  send(data: string | Uint8Array): boolean {
    if (this.readyState !== 'open') return false;
    this.sent.push(data);
    return true;
  }

  onMessage(): void {}

  onStateChange(listener: (state: DataChannelState) => void): void {
    this.#stateListeners.push(listener);
  }

  close(): void {
    this.setState('closed');
  }

  setState(state: DataChannelState): void {
    this.readyState = state;
    for (const listener of this.#stateListeners) listener(state);
  }
}

/** Hands out `FakePeer`s, each prepared by `prepare` (set it before the offer), newest last. */
export class FakePeerFactory {
  readonly created: FakePeer[] = [];
  prepare: (peer: FakePeer) => void = () => {};
  /** Set to make the next `create` throw, as an engine that cannot bind a socket would. */
  failCreate: Error | undefined;
  readonly create: RtcPeerFactory = () => {
    if (this.failCreate) throw this.failCreate;
    const peer = new FakePeer();
    this.prepare(peer);
    this.created.push(peer);
    return peer;
  };

  get latest(): FakePeer {
    const peer = this.created.at(-1);
    if (!peer) throw new Error('no peer was created');
    return peer;
  }
}
