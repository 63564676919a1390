/**
 * Guards the delayed-SACK half of patches/werift@0.25.2.patch: one DATA packet with a whole new
 * message must not be acknowledged at once (werift did, which doubled the UDP datagrams of small
 * game messages); a duplicate or a gap still is. How often a SACK goes out otherwise (every fourth
 * packet, or with the next DATA) is in werift-sctp-bundling.test.ts. Reaches into werift's SCTP
 * association (not public API), as werift-patch.test.ts does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';

/** SCTP DATA chunk flags (RFC 9260 §3.3.1): a whole message, unordered. */
const WHOLE_UNORDERED = 0x01 | 0x02 | 0x04;
/** WebRTC binary PPID (RFC 8831). */
const BINARY = 53;

interface SctpReceiver {
  lastReceivedTsn: number;
  sackNeeded: boolean;
  sackImmediate: boolean;
  receiveDataChunk(chunk: object): void;
}

const open: RTCPeerConnection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((pc) => pc.close().catch(() => undefined)));
});

function receiver(): SctpReceiver {
  const pc = new RTCPeerConnection({ iceServers: [] });
  open.push(pc);
  pc.createDataChannel('state', { ordered: false, maxRetransmits: 0 });
  const sctp = pc.sctpTransport?.sctp as unknown as SctpReceiver | undefined;
  if (!sctp) throw new Error('werift created no SCTP association');
  sctp.lastReceivedTsn = 99;
  return sctp;
}

const data = (tsn: number) => ({
  type: 0,
  flags: WHOLE_UNORDERED,
  tsn,
  streamId: 1,
  streamSeqNum: 0,
  protocol: BINARY,
  userData: Buffer.from([1, 2, 3]),
});

describe('werift SCTP delayed SACK (patched)', () => {
  it('owes a SACK for a new whole message but does not send it at once', () => {
    const sctp = receiver();
    sctp.receiveDataChunk(data(100));
    expect(sctp).toMatchObject({ sackNeeded: true, sackImmediate: false, lastReceivedTsn: 100 });
  });

  it('acknowledges a duplicate and a gap at once', () => {
    const duplicate = receiver();
    duplicate.receiveDataChunk(data(99));
    expect(duplicate.sackImmediate).toBe(true);

    const gap = receiver();
    gap.receiveDataChunk(data(102));
    expect(gap.sackImmediate).toBe(true);
  });
});
