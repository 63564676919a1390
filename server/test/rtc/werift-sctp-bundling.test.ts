/**
 * Guards the SCTP sending half of patches/werift@0.25.2.patch (docs/webrtc.md §11): the SACK owed
 * rides in front of outgoing DATA instead of a packet of its own (and, with nothing to send, goes
 * out every fourth packet), messages sent in the same turn of the event loop share a packet up to
 * the MTU, and TSNs sort in serial-number order (werift sorted them as strings). Reaches into werift's SCTP association (not public API)
 * through sctp-association.ts.
 */

import { DataChannelLabel } from '@starcatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { RTCDataChannel, RTCPeerConnection } from 'werift';
import { createLoopbackOfferer, isLoopback, loopbackPeerConnection } from '../support/loopback-offerer.ts';
import { DATA, dataChunk, receiver, SACK, type SctpAssociation, sctpOf } from './sctp-association.ts';

const open: RTCPeerConnection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((pc) => pc.close().catch(() => undefined)));
});

describe('werift SCTP TSN order (patched)', () => {
  it('closes a gap across a decimal digit boundary (a string sort put 1000 before 999)', () => {
    const sctp = receiver(998);
    sctp.receiveDataChunk(dataChunk(1000));
    sctp.receiveDataChunk(dataChunk(999));
    expect(sctp.lastReceivedTsn).toBe(1000);
    expect(sctp.sackMisOrdered.size).toBe(0);
  });

  it('closes a gap across the 2^32 wrap', () => {
    const sctp = receiver(0xffff_fffe);
    sctp.receiveDataChunk(dataChunk(0));
    sctp.receiveDataChunk(dataChunk(0xffff_ffff));
    expect(sctp.lastReceivedTsn).toBe(0);
  });

  it('reports gap blocks in TSN order', () => {
    const sctp = receiver(995);
    sctp.receiveDataChunk(dataChunk(1000));
    sctp.receiveDataChunk(dataChunk(997));
    const sack = sctp.takeSack();
    expect(sack).toMatchObject({
      type: SACK,
      cumulativeTsn: 995,
      gaps: [
        [2, 2],
        [5, 5],
      ],
    });
    expect(sctp.sackNeeded).toBe(false);
  });
});

/** CRC32c (RFC 9260 Appendix B), bit by bit: an independent check of werift's table version. */
function crc32c(bytes: Uint8Array): number {
  let crc = 0xffff_ffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f6_3b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

interface Packet {
  readonly types: number[];
  readonly length: number;
  readonly checksumValid: boolean;
}

function parse(packet: Buffer): Packet {
  const types: number[] = [];
  let pos = 12;
  while (pos + 4 <= packet.length) {
    types.push(packet[pos] as number);
    const length = packet.readUInt16BE(pos + 2);
    pos += length + ((4 - (length % 4)) % 4);
  }
  const zeroed = Buffer.from(packet);
  zeroed.writeUInt32LE(0, 8);
  return { types, length: packet.length, checksumValid: crc32c(zeroed) === packet.readUInt32LE(8) };
}

/** Records every SCTP packet an association sends from now on. */
function record(sctp: SctpAssociation): Packet[] {
  const packets: Packet[] = [];
  const send = sctp.transport.send.bind(sctp.transport);
  sctp.transport.send = (packet: Buffer) => {
    packets.push(parse(packet));
    return send(packet);
  };
  return packets;
}

const channelOpen = (channel: RTCDataChannel) =>
  new Promise<void>((resolve) => {
    if (channel.readyState === 'open') resolve();
    else channel.stateChanged.subscribe((state) => state === 'open' && resolve());
  });

/** A werift offerer (the client's two channels) and a werift answerer (the server's side), open. */
async function connectedPair() {
  const client = createLoopbackOfferer();
  const server = loopbackPeerConnection();
  open.push(client.pc, server);
  for (const [from, to] of [
    [client.pc, server],
    [server, client.pc],
  ] as const) {
    from.onIceCandidate.subscribe((candidate) => {
      if (candidate?.candidate && isLoopback(candidate.candidate.split(' ')[4])) {
        to.addIceCandidate(candidate.toJSON()).catch(() => undefined);
      }
    });
  }
  const serverChannels = new Map<string, RTCDataChannel>();
  const bothOpen = new Promise<void>((resolve) => {
    server.onDataChannel.subscribe((channel: RTCDataChannel) => {
      serverChannels.set(channel.label, channel);
      if (serverChannels.size === 2) resolve();
    });
  });
  await client.pc.setLocalDescription(await client.pc.createOffer());
  await server.setRemoteDescription(client.pc.localDescription as NonNullable<RTCPeerConnection['localDescription']>);
  await server.setLocalDescription(await server.createAnswer());
  await client.pc.setRemoteDescription(server.localDescription as NonNullable<RTCPeerConnection['localDescription']>);
  await bothOpen;
  const events = serverChannels.get(DataChannelLabel.events) as RTCDataChannel;
  const state = serverChannels.get(DataChannelLabel.state) as RTCDataChannel;
  await Promise.all([channelOpen(client.events), channelOpen(client.state), channelOpen(events), channelOpen(state)]);
  return { client, server, events, state };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Holds off the 200 ms delayed-SACK timer (werift arms it only when none is pending), so that a
 * slow machine cannot send the SACK early; sending the SACK any other way clears it.
 */
function holdSackTimer(sctp: SctpAssociation): void {
  clearTimeout(sctp.sackTimeout);
  sctp.sackTimeout = setTimeout(() => undefined, 60_000);
}

function collect(channel: RTCDataChannel, count: number): Promise<string[]> {
  const got: string[] = [];
  return new Promise((resolve) => {
    channel.onMessage.subscribe((message) => {
      got.push(message.toString());
      if (got.length === count) resolve(got);
    });
  });
}

describe('werift SCTP bundling (patched)', () => {
  it('sends the SACK it owes in front of the next DATA, in one packet with the messages of that turn', async () => {
    const { client, server, events, state } = await connectedPair();
    const sctp = sctpOf(server);
    await settle(300); // past the delayed-SACK timer: nothing owed from the channel set-up

    holdSackTimer(sctp);
    const input = collect(state, 1);
    client.state.send(Buffer.from('input'));
    await input;
    await settle(20);
    expect(sctp.sackNeeded).toBe(true); // one packet: the SACK is delayed, not sent

    const packets = record(sctp);
    const snapshot = collect(client.state, 1);
    const event = collect(client.events, 1);
    state.send(Buffer.from('snapshot'));
    events.send('event');
    expect(await snapshot).toEqual(['snapshot']);
    expect(await event).toEqual(['event']);
    expect(sctp.sackTimeout).toBeUndefined();
    await settle(300); // and no separate SACK follows
    expect(packets.map((packet) => packet.types)).toEqual([[SACK, DATA, DATA]]);
    expect(packets.every((packet) => packet.checksumValid)).toBe(true);
    expect(sctp.sackNeeded).toBe(false);
  }, 15_000);

  it('with nothing to send, acknowledges every fourth packet, in a packet of its own', async () => {
    const { client, server, state } = await connectedPair();
    const sctp = sctpOf(server);
    await settle(300);
    const packets = record(sctp);
    holdSackTimer(sctp);
    for (let i = 1; i <= 4; i++) {
      const input = collect(state, 1);
      client.state.send(Buffer.from(`input ${i}`));
      await input;
      await settle(10);
      expect(packets.map((packet) => packet.types)).toEqual(i < 4 ? [] : [[SACK]]);
    }
    expect(sctp.sackNeeded).toBe(false);
  }, 15_000);

  it('splits the messages of one turn into packets of at most the MTU', async () => {
    const { client, server, state } = await connectedPair();
    const sctp = sctpOf(server);
    await settle(300);
    const packets = record(sctp);
    const received = collect(client.state, 4);
    for (const fill of ['a', 'b', 'c', 'd']) state.send(Buffer.alloc(500, fill));
    const got = await received;
    expect(got.map((message) => message.length)).toEqual([500, 500, 500, 500]);
    expect(new Set(got.map((message) => message[0]))).toEqual(new Set(['a', 'b', 'c', 'd']));
    expect(packets.map((packet) => packet.types)).toEqual([
      [DATA, DATA],
      [DATA, DATA],
    ]);
    expect(packets.every((packet) => packet.length <= sctp.mtu && packet.checksumValid)).toBe(true);
  }, 15_000);
});
