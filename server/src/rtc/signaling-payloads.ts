import { isIP } from 'node:net';
import { z } from 'zod';
import type { RemoteCandidate } from './rtc-peer.ts';

/** A data-only offer from Chromium is under 1 KB; this leaves room for many m-lines and candidates. */
export const MAX_SDP_LENGTH = 32_768;
/** An ICE candidate line is about 100-200 characters. */
const MAX_CANDIDATE_LENGTH = 1_024;
const MAX_MID_LENGTH = 64;
const MAX_MLINE_INDEX = 1_023;
const MAX_UFRAG_LENGTH = 256;

/** `webrtc:offer` `{sdp, type: 'offer'}`. */
const Offer = z.object({
  sdp: z
    .string()
    .min(1, 'sdp is empty')
    .max(MAX_SDP_LENGTH, `sdp is longer than ${MAX_SDP_LENGTH} characters`)
    // The browser must create its DataChannels before the offer, or there is nothing to answer.
    .refine((sdp) => /^m=application /m.test(sdp), 'the offer has no DataChannel (m=application) section'),
  type: z.literal('offer', { error: 'type must be "offer"' }),
});

/** `webrtc:ice`: `RTCIceCandidate.toJSON()`; browsers send `null` for absent fields. */
const Candidate = z
  .object({
    candidate: z.string().max(MAX_CANDIDATE_LENGTH),
    sdpMid: z.string().max(MAX_MID_LENGTH).nullish(),
    sdpMLineIndex: z.number().int().min(0).max(MAX_MLINE_INDEX).nullish(),
    usernameFragment: z.string().max(MAX_UFRAG_LENGTH).nullish(),
  })
  .refine(
    (c) => c.candidate === '' || c.sdpMid != null || c.sdpMLineIndex != null,
    'a candidate needs sdpMid or sdpMLineIndex',
  );

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export function parseOffer(payload: unknown): Parsed<string> {
  const result = Offer.safeParse(payload);
  return result.success ? { ok: true, value: result.data.sdp } : { ok: false, message: describe(result.error) };
}

/** `end` is `candidate: ""`, the browser's end-of-candidates for one m-line. */
export type ParsedCandidate =
  | { readonly kind: 'end' }
  | { readonly kind: 'candidate'; readonly value: RemoteCandidate };

/**
 * A candidate's connection address must be an IP literal: a hostname would make the server's
 * WebRTC engine resolve it (a DNS lookup chosen by the client, and a stall while it runs). The one
 * exception is an mDNS name (`<uuid>.local`), which browsers use to hide local addresses: it is
 * accepted here and dropped by the caller without a lookup (see SignalingSession.ice).
 */
export function parseCandidate(payload: unknown): Parsed<ParsedCandidate> {
  const result = Candidate.safeParse(payload);
  if (!result.success) return { ok: false, message: describe(result.error) };
  const { candidate, sdpMid, sdpMLineIndex, usernameFragment } = result.data;
  if (candidate === '') return { ok: true, value: { kind: 'end' } };
  const address = candidateAddress(candidate);
  if (address === undefined || address === '') {
    return {
      ok: false,
      message:
        'candidate: no connection address (candidate:<foundation> <component> <transport> <priority> <address> <port> typ …)',
    };
  }
  if (isIP(address) === 0 && !isMdnsName(address)) {
    return {
      ok: false,
      message: `candidate: the address must be an IP literal, not a hostname (got "${address.slice(0, 64)}")`,
    };
  }
  return {
    ok: true,
    value: {
      kind: 'candidate',
      value: {
        candidate,
        sdpMid: sdpMid ?? undefined,
        sdpMLineIndex: sdpMLineIndex ?? undefined,
        usernameFragment: usernameFragment ?? undefined,
      },
    },
  };
}

/** The connection address of a `candidate:<foundation> <component> <transport> <priority> <address> …` line. */
export function candidateAddress(candidate: string): string | undefined {
  return candidate.replace(/^a=/, '').split(' ')[4];
}

/** An mDNS name as browsers put in host candidates; the same test the caller drops them by. */
export function isMdnsName(address: string): boolean {
  return address.endsWith('.local');
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
