/**
 * Client ICE candidates must name their address as an IP literal: a hostname would have the
 * server's WebRTC engine resolve a name the client chose. `.local` mDNS names (what browsers send
 * to hide local addresses) stay accepted and are dropped without a lookup. The parser first, then
 * the real server with werift peers: the refusal is `invalid_candidate`, and the sender's and the
 * other players' peers stay connected.
 */
import { ErrorCode, WebRtcEvent } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { parseCandidate } from '../../src/rtc/signaling-payloads.ts';
import { push } from '../integration/phoenix-client.ts';
import { useRtcServer } from './rtc-server.ts';

const line = (address: string) => `candidate:1 1 udp 2122260223 ${address} 50000 typ host`;

describe('parseCandidate', () => {
  it.each([
    ['IPv4', '192.0.2.7'],
    ['IPv6', '2001:db8::7'],
    ['IPv6 link-local with a zone', 'fe80::1%eth0'],
    ['an IPv4-mapped IPv6 address', '::ffff:192.0.2.7'],
    ['an mDNS name (dropped by the caller)', '4f1c9a2e-8d3b-4c5e-9f0a-1b2c3d4e5f60.local'],
  ])('accepts %s', (_what, address) => {
    expect(parseCandidate({ candidate: line(address), sdpMid: '0' })).toMatchObject({ ok: true });
    expect(parseCandidate({ candidate: `a=${line(address)}`, sdpMid: '0' })).toMatchObject({ ok: true });
  });

  it.each([
    ['a hostname', 'stun.example.org'],
    ['localhost', 'localhost'],
    ['a dotted name that is not an address', '192.0.2'],
    ['a bracketed IPv6', '[2001:db8::7]'],
    ['an mDNS-looking name in capitals', 'host.LOCAL'],
  ])('refuses %s', (_what, address) => {
    expect(parseCandidate({ candidate: line(address), sdpMid: '0' })).toEqual({
      ok: false,
      message: expect.stringContaining('must be an IP literal, not a hostname'),
    });
  });

  it('refuses a line without an address, and keeps end-of-candidates', () => {
    expect(parseCandidate({ candidate: 'candidate:1 1 udp', sdpMid: '0' })).toEqual({
      ok: false,
      message: expect.stringContaining('no connection address'),
    });
    expect(parseCandidate({ candidate: '', sdpMid: '0' })).toEqual({ ok: true, value: { kind: 'end' } });
  });
});

const rtc = useRtcServer();

describe('webrtc:ice with a hostname, against the real server', () => {
  it('is refused with invalid_candidate at once; .local and IP candidates are taken; both players stay connected', async () => {
    const mallory = await rtc.joinUserChannel();
    const bob = await rtc.joinUserChannel();
    const malloryPeer = rtc.browserPeer(mallory.channel);
    const bobPeer = rtc.browserPeer(bob.channel);
    await Promise.all([malloryPeer.offer(), bobPeer.offer()]);
    await Promise.all([malloryPeer.bothOpen(), bobPeer.bothOpen()]);

    const startedAt = performance.now();
    const refused = await push(mallory.channel, WebRtcEvent.ice, {
      candidate: line('attacker-chosen.example.org'),
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    const refusedInMs = performance.now() - startedAt;
    expect(refused).toEqual({
      status: 'error',
      response: { reason: ErrorCode.invalidCandidate, message: expect.stringContaining('IP literal') },
    });
    expect(refusedInMs).toBeLessThan(500);

    const mdns = { candidate: line('a1b2c3d4.local'), sdpMid: '0', sdpMLineIndex: 0 };
    expect(await push(mallory.channel, WebRtcEvent.ice, mdns)).toEqual({ status: 'ok', response: {} });
    const literal = { candidate: line('127.0.0.1'), sdpMid: '0', sdpMLineIndex: 0 };
    expect(await push(mallory.channel, WebRtcEvent.ice, literal)).toEqual({ status: 'ok', response: {} });

    expect(mallory.channel.state).toBe('joined');
    expect(malloryPeer.pc.connectionState).toBe('connected');
    expect(bobPeer.pc.connectionState).toBe('connected');
    expect(rtc.serverPeerOf(mallory.userId)).toBeDefined();
    expect(rtc.serverPeerOf(bob.userId)).toBeDefined();
    console.info(
      `a hostname candidate: invalid_candidate in ${refusedInMs.toFixed(1)} ms; both peers stayed connected`,
    );
  });
});
