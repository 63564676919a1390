import type { IceCandidatePayload, PeerConnectionState } from '@starcatch/shared';

/**
 * The server's side of one browser's WebRTC connection, as the rest of the server sees it. The
 * engine (werift today) lives behind this interface in one file, so it can be swapped.
 *
 * Callers serialize calls (see `SignalingSession`): `acceptOffer`, then `createAnswer`, then
 * any number of `addRemoteCandidate`. Listeners may be added at any time.
 */
export interface RtcPeer {
  readonly connectionState: PeerConnectionState;
  /** Applies the browser's offer; rejects when the engine refuses the SDP. */
  acceptOffer(sdp: string): Promise<void>;
  /**
   * Creates and applies the answer; resolves with its SDP. Local candidates may be reported
   * before it resolves: the caller holds them until the answer has reached the browser.
   */
  createAnswer(): Promise<string>;
  /** Hands a browser candidate to the engine; rejects when the engine refuses it. */
  addRemoteCandidate(candidate: RemoteCandidate): Promise<void>;
  onLocalCandidate(listener: (candidate: IceCandidatePayload) => void): void;
  /** A DataChannel the browser opened (DCEP), reported before it is open. */
  onDataChannel(listener: (channel: RtcDataChannel) => void): void;
  onStateChange(listener: (state: PeerConnectionState) => void): void;
  /** Closes the connection and its sockets; never rejects. */
  close(): Promise<void>;
}

/** A browser candidate that passed validation: it names its m-line by mid or index. */
export interface RemoteCandidate {
  readonly candidate: string;
  readonly sdpMid?: string | undefined;
  readonly sdpMLineIndex?: number | undefined;
  readonly usernameFragment?: string | undefined;
}

export type DataChannelState = 'connecting' | 'open' | 'closing' | 'closed';

export interface RtcDataChannel {
  readonly label: string;
  readonly ordered: boolean;
  /** `null` for a reliable channel. */
  readonly maxRetransmits: number | null;
  readonly readyState: DataChannelState;
  /**
   * Bytes queued and not yet handed to the transport. `send` never blocks and the engine queues
   * without limit, so check this before sending to a slow peer.
   */
  readonly bufferedAmount: number;
  /** Queues a message; false (and nothing sent) unless the channel is open. */
  send(data: string | Uint8Array): boolean;
  onMessage(listener: (data: string | Uint8Array) => void): void;
  onStateChange(listener: (state: DataChannelState) => void): void;
  close(): void;
}

export type RtcPeerFactory = () => RtcPeer;

/** `RTCIceServer` as in the browser's configuration. */
export interface IceServer {
  readonly urls: string | readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** Where and how the server's peers gather candidates. */
export interface RtcNetworkSettings {
  /** STUN/TURN servers; empty by default, so the server talks to nobody but its peers. */
  readonly iceServers: readonly IceServer[];
  /** UDP ports for ICE, inclusive (`min < max`); unset means any free port. */
  readonly portRange: readonly [number, number] | undefined;
  /**
   * The IPv4 addresses gathered on, and nothing else: 127.0.0.1 for local play and tests, the LAN
   * addresses, or the public address of a server behind NAT (see `selectHostAddresses`).
   */
  readonly hostAddresses: readonly string[];
}
