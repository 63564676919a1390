/**
 * Guards the delayed-SACK half of patches/werift@0.25.2.patch: one DATA packet with a whole new
 * message must not be acknowledged at once (werift did, which doubled the UDP datagrams of small
 * game messages); a duplicate or a gap still is. How often a SACK goes out otherwise (every fourth
 * packet, or with the next DATA) is in werift-sctp-bundling.test.ts. Reaches into werift's SCTP
 * association (not public API) through sctp-association.ts.
 */
import { describe, expect, it } from 'vitest';
import { dataChunk, receiver } from './sctp-association.ts';

describe('werift SCTP delayed SACK (patched)', () => {
  it('owes a SACK for a new whole message but does not send it at once', () => {
    const sctp = receiver(99);
    sctp.receiveDataChunk(dataChunk(100));
    expect(sctp).toMatchObject({ sackNeeded: true, sackImmediate: false, lastReceivedTsn: 100 });
  });

  it('acknowledges a duplicate and a gap at once', () => {
    const duplicate = receiver(99);
    duplicate.receiveDataChunk(dataChunk(99));
    expect(duplicate.sackImmediate).toBe(true);

    const gap = receiver(99);
    gap.receiveDataChunk(dataChunk(102));
    expect(gap.sackImmediate).toBe(true);
  });
});
