import type { ErrorCode } from './errors.ts';

/**
 * WebRTC signaling on `user:<id>` and the two DataChannels. The browser is the offerer and
 * creates both channels before its offer; the server answers and never opens a channel itself.
 */
export const WebRtcEvent = {
  /** Client push `{sdp, type: 'offer'}` → reply `ok {}`, then server push `webrtc:answer`. */
  offer: 'webrtc:offer',
  /** Server push `{sdp, type: 'answer'}`; always before any server `webrtc:ice`. */
  answer: 'webrtc:answer',
  /** Both ways: one trickled candidate. Client pushes get `ok {}` or an error reply. */
  ice: 'webrtc:ice',
  /** Server push `{state, reason?}` on every connection state change of the current peer. */
  state: 'webrtc:state',
  /** Client push `{}` → the server closes the peer (if any) and replies `ok {}`. */
  close: 'webrtc:close',
} as const;

/** DataChannel labels. */
export const DataChannelLabel = {
  /** Reliable and ordered: what must not be lost (stars, scores, rounds). */
  events: 'events',
  /** Unordered, no retransmits: inputs and snapshots, each self-contained and sequence-numbered. */
  state: 'state',
} as const;
export type DataChannelLabel = (typeof DataChannelLabel)[keyof typeof DataChannelLabel];

export interface DataChannelOptions {
  readonly ordered: boolean;
  readonly maxRetransmits?: number;
}

/** What the browser passes to `createDataChannel(label, options)` for each label. */
export const DATA_CHANNEL_OPTIONS: Readonly<Record<DataChannelLabel, DataChannelOptions>> = {
  events: { ordered: true },
  state: { ordered: false, maxRetransmits: 0 },
};

export interface SessionDescriptionPayload<Type extends 'offer' | 'answer'> {
  readonly sdp: string;
  readonly type: Type;
}
export type WebRtcOffer = SessionDescriptionPayload<'offer'>;
export type WebRtcAnswer = SessionDescriptionPayload<'answer'>;

/**
 * `RTCIceCandidate.toJSON()`. `candidate: ""` is end-of-candidates. A client candidate needs
 * `sdpMid` or `sdpMLineIndex`; the server fills in both.
 */
export interface IceCandidatePayload {
  readonly candidate: string;
  readonly sdpMid?: string | null;
  readonly sdpMLineIndex?: number | null;
  readonly usernameFragment?: string | null;
}

/** `RTCPeerConnection.connectionState` values. */
export type PeerConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/**
 * `reason` is set when the server closed the peer on its own (`rate_limited`). A `failed` peer is
 * closed too, with no further push: the client falls back to the WebSocket and may offer again.
 */
export interface WebRtcStatePayload {
  readonly state: PeerConnectionState;
  readonly reason?: ErrorCode;
}

/**
 * Liveness probes on `events`, beside the game events: the server sends `{type: 'ping', id}`
 * every few seconds and the client answers `{type: 'pong', id}` at once. The client may ping too
 * (every second while in a room, to show its network round trip); the server answers the same way. werift does not notice a
 * browser that closed its peer connection but kept the WebSocket (docs/webrtc.md §3), so
 * the server closes a peer that has sent nothing, on either channel, for a while; the client does
 * the same to a server peer it stops hearing from.
 */
export const LinkProbe = {
  ping: 'ping',
  pong: 'pong',
} as const;
export type LinkProbeType = (typeof LinkProbe)[keyof typeof LinkProbe];

export interface LinkProbeMessage {
  readonly type: LinkProbeType;
  /** Chosen by the pinger; the pong echoes it. */
  readonly id: number;
}

/** The probe in `raw` (parsed JSON), or null when it is something else (a game event, say). */
export function parseLinkProbe(raw: unknown): LinkProbeMessage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { type, id } = raw as { type?: unknown; id?: unknown };
  if ((type !== LinkProbe.ping && type !== LinkProbe.pong) || !Number.isSafeInteger(id)) return null;
  return { type, id: id as number };
}

/**
 * `RTCIceServer` as the server hands it to browsers. TURN entries carry a short-lived `username`
 * and `credential` of this user's (coturn's shared-secret scheme), never a static password.
 */
export interface IceServerPayload {
  readonly urls: string | readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** The `user:<id>` join reply; each join (so each rejoin) brings fresh TURN credentials. */
export interface UserJoinReply {
  /** What to pass to `RTCPeerConnection` as `iceServers`; empty: none (loopback and LAN need none). */
  readonly ice_servers: readonly IceServerPayload[];
}

/** The ICE servers of a `user:<id>` join reply; whatever is malformed is left out. */
export function parseIceServers(reply: unknown): IceServerPayload[] {
  if (typeof reply !== 'object' || reply === null) return [];
  const list = (reply as { ice_servers?: unknown }).ice_servers;
  if (!Array.isArray(list)) return [];
  const servers: IceServerPayload[] = [];
  for (const entry of list as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { urls, username, credential } = entry as { urls?: unknown; username?: unknown; credential?: unknown };
    const validUrls =
      typeof urls === 'string'
        ? urls.length > 0
        : Array.isArray(urls) && urls.length > 0 && urls.every((url) => typeof url === 'string' && url.length > 0);
    if (!validUrls) continue;
    if (
      (username !== undefined && typeof username !== 'string') ||
      (credential !== undefined && typeof credential !== 'string')
    ) {
      continue;
    }
    servers.push({
      urls: typeof urls === 'string' ? urls : [...(urls as string[])],
      ...(username !== undefined && { username }),
      ...(credential !== undefined && { credential }),
    });
  }
  return servers;
}
