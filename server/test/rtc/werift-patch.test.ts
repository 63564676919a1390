/**
 * Guards patches/werift@0.25.2.patch: if an install drops it, these fail. They reach into werift's
 * SCTP association and ICE agent (not public API): partial reliability only shows under packet
 * loss, and the STUN fallback only as a stall where DNS hangs.
 * The DCEP half of the patch (unordered + maxRetransmits opened as `0x81`) is covered by
 * signaling.test.ts, where the server sees the werift client's `state` channel as unordered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';

/** SCTP DATA chunk flags (RFC 9260 §3.3.1). */
const LAST_FRAGMENT = 0x01;
const FIRST_FRAGMENT = 0x02;
const WHOLE_MESSAGE = FIRST_FRAGMENT | LAST_FRAGMENT;

interface SentChunk {
  readonly flags: number;
  readonly maxRetransmits: number | undefined;
  readonly sentCount: number;
  abandoned: boolean;
  retransmit: boolean;
}

interface SctpInternals {
  sentQueue: SentChunk[];
  maybeAbandon(chunk: SentChunk): boolean;
}

function chunk(flags: number, maxRetransmits: number | undefined, sentCount = 1): SentChunk {
  return { flags, maxRetransmits, sentCount, abandoned: false, retransmit: true };
}

const open: RTCPeerConnection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((pc) => pc.close().catch(() => undefined)));
});

/** A fresh association with nothing in flight; no network is touched before an offer. */
function association(): SctpInternals {
  const pc = new RTCPeerConnection({ iceServers: [] });
  open.push(pc);
  pc.createDataChannel('state', { ordered: false, maxRetransmits: 0 });
  const sctp = pc.sctpTransport?.sctp;
  if (!sctp) throw new Error('werift created no SCTP association');
  return sctp as unknown as SctpInternals;
}

describe('werift SCTP partial reliability (patched)', () => {
  it('abandons a maxRetransmits: 0 message after its first transmission', () => {
    const sctp = association();
    const unreliable = chunk(WHOLE_MESSAGE, 0);
    sctp.sentQueue = [unreliable];

    expect(sctp.maybeAbandon(unreliable)).toBe(true);
    expect(unreliable).toMatchObject({ abandoned: true, retransmit: false });
  });

  it('abandons that message, not the reliable one in flight ahead of it', () => {
    const sctp = association();
    const reliable = chunk(WHOLE_MESSAGE, undefined, 3);
    const unreliable = chunk(WHOLE_MESSAGE, 0);
    sctp.sentQueue = [reliable, unreliable];

    expect(sctp.maybeAbandon(unreliable)).toBe(true);
    expect(reliable.abandoned).toBe(false);
    expect(sctp.maybeAbandon(reliable)).toBe(false);
  });

  it('abandons every fragment of a message and nothing of the message before it', () => {
    const sctp = association();
    const previous = chunk(WHOLE_MESSAGE, 0, 0);
    const fragments = [chunk(FIRST_FRAGMENT, 0), chunk(0, 0), chunk(LAST_FRAGMENT, 0)];
    const next = chunk(WHOLE_MESSAGE, 0, 0);
    sctp.sentQueue = [previous, ...fragments, next];

    expect(sctp.maybeAbandon(fragments[1] as SentChunk)).toBe(true);
    expect(fragments.map((f) => f.abandoned)).toEqual([true, true, true]);
    expect([previous.abandoned, next.abandoned]).toEqual([false, false]);
  });

  it('keeps retransmitting a message until it has been sent more than maxRetransmits times', () => {
    const sctp = association();
    const once = chunk(WHOLE_MESSAGE, 1, 1);
    sctp.sentQueue = [once];

    expect(sctp.maybeAbandon(once)).toBe(false);
  });
});

/** What the patch changes in werift's ICE agent, reached through internals. */
interface IceInternals {
  readonly secureManager: {
    readonly iceTransports: readonly { readonly connection: { readonly stunServer: unknown } }[];
  };
  readonly localDescription?: { readonly sdp: string };
}

describe('werift ICE without a STUN server (patched)', () => {
  it('uses no STUN server when iceServers is empty, and gathers host candidates only', async () => {
    const pc = new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
    open.push(pc);
    pc.createDataChannel('events');
    await pc.setLocalDescription(await pc.createOffer());
    const internals = pc as unknown as IceInternals;
    expect(internals.secureManager.iceTransports.map((transport) => transport.connection.stunServer)).toEqual([
      undefined,
    ]);
    const candidates = (pc.localDescription?.sdp ?? '').split('\r\n').filter((line) => line.startsWith('a=candidate:'));
    expect(candidates.length).toBeGreaterThan(0);
    expect(candidates.every((line) => line.includes(' typ host'))).toBe(true);
  });

  it('keeps the STUN server a configuration names', () => {
    const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:stun.example.test:3478' }] });
    open.push(pc);
    pc.createDataChannel('events');
    const internals = pc as unknown as IceInternals;
    expect(internals.secureManager.iceTransports.map((transport) => transport.connection.stunServer)).toEqual([
      ['stun.example.test', 3478],
    ]);
  });
});
