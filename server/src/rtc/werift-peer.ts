/**
 * The werift engine behind `RtcPeer`: the only file that imports werift. werift 0.25.2 is patched
 * (patches/werift@0.25.2.patch) so its SCTP sender honours `maxRetransmits: 0` on `state`.
 */
import type { IceCandidatePayload, PeerConnectionState } from '@starcatch/shared';
import { type RTCDataChannel, RTCPeerConnection } from 'werift';
import type {
  DataChannelState,
  RemoteCandidate,
  RtcDataChannel,
  RtcNetworkSettings,
  RtcPeer,
  RtcPeerFactory,
} from './rtc-peer.ts';

export function weriftPeerFactory(settings: RtcNetworkSettings): RtcPeerFactory {
  return () => new WeriftPeer(settings);
}

class WeriftPeer implements RtcPeer {
  readonly #pc: RTCPeerConnection;

  constructor(settings: RtcNetworkSettings) {
    this.#pc = new RTCPeerConnection({
      // Always explicit: werift's default is a public Google STUN server.
      iceServers: settings.iceServers.map((server) => ({
        ...server,
        urls: typeof server.urls === 'string' ? server.urls : [...server.urls],
      })),
      icePortRange: settings.portRange ? [settings.portRange[0], settings.portRange[1]] : undefined,
      // Exactly these addresses (see rtc/host-addresses.ts). On its own werift also gathers every
      // non-internal interface, whatever HOST is: `iceUseIpv4`/`iceUseIpv6` false turn that scan off
      // (they decide nothing else), and the addresses listed here are gathered regardless.
      iceAdditionalHostAddresses: [...settings.hostAddresses],
      iceUseIpv4: false,
      iceUseIpv6: false,
    });
  }

  get connectionState(): PeerConnectionState {
    return this.#pc.connectionState;
  }

  async acceptOffer(sdp: string): Promise<void> {
    await this.#pc.setRemoteDescription({ type: 'offer', sdp });
  }

  async createAnswer(): Promise<string> {
    const answer = await this.#pc.createAnswer();
    // werift gathers during this call and reports candidates before it resolves.
    await this.#pc.setLocalDescription(answer);
    // Not `localDescription`: after gathering it carries the candidates and `a=end-of-candidates`,
    // which would contradict the candidates trickled after it.
    return answer.sdp;
  }

  async addRemoteCandidate(candidate: RemoteCandidate): Promise<void> {
    await this.#pc.addIceCandidate(candidate);
  }

  onLocalCandidate(listener: (candidate: IceCandidatePayload) => void): void {
    this.#pc.onIceCandidate.subscribe((candidate) => {
      // `undefined` marks the end of gathering; the browser does not need it (nor did Gamend send it).
      if (!candidate?.candidate) return;
      listener({
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? null,
        sdpMLineIndex: candidate.sdpMLineIndex ?? null,
        usernameFragment: candidate.usernameFragment ?? null,
      });
    });
  }

  onDataChannel(listener: (channel: RtcDataChannel) => void): void {
    this.#pc.onDataChannel.subscribe((channel) => listener(new WeriftDataChannel(channel)));
  }

  onStateChange(listener: (state: PeerConnectionState) => void): void {
    this.#pc.connectionStateChange.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.#pc.close().catch(() => undefined);
  }
}

class WeriftDataChannel implements RtcDataChannel {
  readonly #channel: RTCDataChannel;

  constructor(channel: RTCDataChannel) {
    this.#channel = channel;
  }

  get label(): string {
    return this.#channel.label;
  }

  get ordered(): boolean {
    return this.#channel.ordered;
  }

  get maxRetransmits(): number | null {
    return this.#channel.maxRetransmits;
  }

  get readyState(): DataChannelState {
    return this.#channel.readyState;
  }

  get bufferedAmount(): number {
    return this.#channel.bufferedAmount;
  }

  send(data: string | Uint8Array): boolean {
    if (this.#channel.readyState !== 'open') return false;
    this.#channel.send(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return true;
  }

  onMessage(listener: (data: string | Uint8Array) => void): void {
    this.#channel.onMessage.subscribe(listener);
  }

  onStateChange(listener: (state: DataChannelState) => void): void {
    this.#channel.stateChanged.subscribe(listener);
  }

  close(): void {
    this.#channel.close();
  }
}
