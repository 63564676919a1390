/**
 * werift's SCTP association as the patch guards see it (not public API): a receiving association
 * on a fresh peer connection, and DATA chunks to feed it. Shared by werift-delayed-sack.test.ts and
 * werift-sctp-bundling.test.ts.
 */
import { afterEach } from 'vitest';
import type { RTCPeerConnection } from 'werift';
import { loopbackPeerConnection } from '../support/loopback-offerer.ts';

/** SCTP chunk types (RFC 9260 §3.2). */
export const DATA = 0;
export const SACK = 3;
/** SCTP DATA chunk flags (RFC 9260 §3.3.1): a whole message, unordered. */
const WHOLE_UNORDERED = 0x01 | 0x02 | 0x04;
/** WebRTC binary PPID (RFC 8831). */
const BINARY = 53;

export interface SackChunk {
  readonly type: number;
  readonly cumulativeTsn: number;
  readonly gaps: [number, number][];
}

export interface SctpAssociation {
  sackTimeout: ReturnType<typeof setTimeout> | undefined;
  lastReceivedTsn: number;
  sackNeeded: boolean;
  sackImmediate: boolean;
  sackMisOrdered: Set<number>;
  readonly mtu: number;
  transport: { send(packet: Buffer): Promise<void> };
  receiveDataChunk(chunk: object): void;
  takeSack(): SackChunk;
}

const open: RTCPeerConnection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((pc) => pc.close().catch(() => undefined)));
});

/** The SCTP association of `pc` (closed after the test). */
export function sctpOf(pc: RTCPeerConnection): SctpAssociation {
  open.push(pc);
  const sctp = pc.sctpTransport?.sctp as unknown as SctpAssociation | undefined;
  if (!sctp) throw new Error('werift created no SCTP association');
  return sctp;
}

/** A fresh association with a `state` channel whose last TSN received is `lastReceivedTsn`. */
export function receiver(lastReceivedTsn: number): SctpAssociation {
  const pc = loopbackPeerConnection();
  pc.createDataChannel('state', { ordered: false, maxRetransmits: 0 });
  const sctp = sctpOf(pc);
  sctp.lastReceivedTsn = lastReceivedTsn;
  return sctp;
}

/** A DATA chunk carrying a whole unordered 3-byte binary message. */
export const dataChunk = (tsn: number) => ({
  type: DATA,
  flags: WHOLE_UNORDERED,
  tsn,
  streamId: 1,
  streamSeqNum: 0,
  protocol: BINARY,
  userData: Buffer.from([1, 2, 3]),
});
