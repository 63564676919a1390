/**
 * The werift side of a fake browser, shared by the test peers (`BrowserPeer`) and the WebRTC load
 * bench's bots: an offerer that creates `events` and `state` before its offer, exactly as the
 * client does, and keeps every packet on 127.0.0.0/8 (only loopback pairs are checked, only
 * loopback candidates leave it). Signaling is the caller's: phoenix.js in tests, a bare `ws`
 * client in the bench.
 */
import { DATA_CHANNEL_OPTIONS, DataChannelLabel, type IceCandidatePayload } from '@starcatch/shared';
import { type RTCDataChannel, RTCPeerConnection } from 'werift';

export type { RTCDataChannel, RTCPeerConnection };

export const isLoopback = (address: string | undefined): boolean => address?.startsWith('127.') ?? false;

/** The address field of an `a=candidate:` line or of a bare candidate string. */
export const candidateAddress = (line: string): string | undefined => line.replace(/^a=/, '').split(' ')[4];

export interface LoopbackOfferer {
  readonly pc: RTCPeerConnection;
  readonly events: RTCDataChannel;
  readonly state: RTCDataChannel;
}

/** A werift peer connection that gathers on 127.0.0.1 and checks only loopback pairs. */
export function loopbackPeerConnection(): RTCPeerConnection {
  return new RTCPeerConnection({
    iceServers: [],
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
    iceFilterCandidatePair: (pair) =>
      isLoopback(pair.protocol.localCandidate?.host) && isLoopback(pair.remoteCandidate.host),
  });
}

/** A peer connection with both game channels created, ready for `createOffer`. */
export function createLoopbackOfferer(): LoopbackOfferer {
  const pc = loopbackPeerConnection();
  const events = pc.createDataChannel(DataChannelLabel.events, { ...DATA_CHANNEL_OPTIONS.events });
  const state = pc.createDataChannel(DataChannelLabel.state, { ...DATA_CHANNEL_OPTIONS.state });
  return { pc, events, state };
}

/** Reports each loopback candidate the peer gathers (others and end-of-candidates are dropped). */
export function onLoopbackCandidate(pc: RTCPeerConnection, listener: (candidate: IceCandidatePayload) => void): void {
  pc.onIceCandidate.subscribe((candidate) => {
    if (!candidate?.candidate || !isLoopback(candidateAddress(candidate.candidate))) return;
    listener(candidate.toJSON());
  });
}

/** Applies a server candidate if it is a loopback one (the only pairs the filter allows). */
export async function addLoopbackCandidate(pc: RTCPeerConnection, candidate: IceCandidatePayload): Promise<void> {
  if (!isLoopback(candidateAddress(candidate.candidate))) return;
  await pc.addIceCandidate(candidate as Parameters<RTCPeerConnection['addIceCandidate']>[0]);
}

/** Creates and applies the offer; resolves with its SDP stripped to loopback candidates. */
export async function createLoopbackOffer(pc: RTCPeerConnection): Promise<string> {
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  return loopbackOnly(offer.sdp);
}

/** werift may list every gathered candidate in the SDP; keep the loopback ones. */
export function loopbackOnly(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || isLoopback(candidateAddress(line)))
    .join('\r\n');
}
