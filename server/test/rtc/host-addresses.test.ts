import type { NetworkInterfaceInfo } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { lanAddresses, type NetworkInterfaces, selectHostAddresses } from '../../src/rtc/host-addresses.ts';
import type { RtcPeer } from '../../src/rtc/rtc-peer.ts';
import { weriftPeerFactory } from '../../src/rtc/werift-peer.ts';
import {
  candidateAddress,
  createLoopbackOffer,
  createLoopbackOfferer,
  type LoopbackOfferer,
} from '../support/loopback-offerer.ts';

function ipv4(address: string, internal = false): NetworkInterfaceInfo {
  return {
    address,
    netmask: '255.255.255.0',
    family: 'IPv4',
    mac: '02:00:00:00:00:01',
    internal,
    cidr: `${address}/24`,
  };
}

function ipv6(address: string, internal = false): NetworkInterfaceInfo {
  return {
    address,
    netmask: 'ffff:ffff:ffff:ffff::',
    family: 'IPv6',
    mac: '02:00:00:00:00:01',
    internal,
    cidr: `${address}/64`,
    scopeid: 0,
  };
}

/** A laptop on Wi-Fi and Ethernet, with Docker, a VPN and a link-local leftover. */
const LAPTOP: NetworkInterfaces = {
  lo: [ipv4('127.0.0.1', true), ipv6('::1', true)],
  wlan0: [ipv4('192.168.1.23'), ipv6('fe80::1c2d:3eff:fe4f:5a6b')],
  eth0: [ipv4('10.0.0.5'), ipv6('fd00::5'), ipv4('169.254.10.20')],
  docker0: [ipv4('172.17.0.1')],
  veth1a2b3c: [ipv4('172.17.0.9')],
  tun0: [ipv4('10.8.0.2')],
};

describe('WebRTC host addresses', () => {
  it('on all interfaces: loopback first, then every LAN IPv4 address (no tunnels, virtual links or link-local)', () => {
    expect(selectHostAddresses('0.0.0.0', undefined, LAPTOP)).toEqual([
      '127.0.0.1',
      '172.17.0.1',
      '10.0.0.5',
      '192.168.1.23',
    ]);
    expect(selectHostAddresses('::', undefined, LAPTOP)).toEqual(selectHostAddresses('0.0.0.0', undefined, LAPTOP));
  });

  it('on loopback: 127.0.0.1 alone, whatever the interfaces', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) {
      expect(selectHostAddresses(host, undefined, LAPTOP), host).toEqual(['127.0.0.1']);
    }
  });

  it('on one IPv4 address: that address', () => {
    expect(selectHostAddresses('192.168.1.23', undefined, LAPTOP)).toEqual(['192.168.1.23']);
  });

  it('RTC_HOST_ADDRESSES wins, exactly as listed (duplicates dropped)', () => {
    expect(selectHostAddresses('0.0.0.0', ['203.0.113.7', '192.168.1.23', '203.0.113.7'], LAPTOP)).toEqual([
      '203.0.113.7',
      '192.168.1.23',
    ]);
    expect(selectHostAddresses('127.0.0.1', ['203.0.113.7'], LAPTOP)).toEqual(['203.0.113.7']);
    // Empty means unset.
    expect(selectHostAddresses('127.0.0.1', [], LAPTOP)).toEqual(['127.0.0.1']);
  });

  it('a machine with loopback only announces loopback alone', () => {
    expect(selectHostAddresses('0.0.0.0', undefined, { lo: [ipv4('127.0.0.1', true)] })).toEqual(['127.0.0.1']);
    expect(lanAddresses({})).toEqual([]);
  });

  it('loadConfig picks them from HOST and the interfaces it is given', () => {
    expect(loadConfig({}, LAPTOP).rtcHostAddresses).toEqual(['127.0.0.1', '172.17.0.1', '10.0.0.5', '192.168.1.23']);
    expect(loadConfig({ HOST: '127.0.0.1' }, LAPTOP).rtcHostAddresses).toEqual(['127.0.0.1']);
    expect(loadConfig({ HOST: '0.0.0.0', RTC_HOST_ADDRESSES: '203.0.113.7' }, LAPTOP).rtcHostAddresses).toEqual([
      '203.0.113.7',
    ]);
    expect(loadConfig({ RTC_HOST_ADDRESSES: '' }, LAPTOP).rtcHostAddresses).toEqual(
      loadConfig({}, LAPTOP).rtcHostAddresses,
    );
  });
});

describe('the werift peer gathers on the host addresses and nothing else', () => {
  let offerer: LoopbackOfferer | undefined;
  let peer: RtcPeer | undefined;

  afterEach(async () => {
    await peer?.close();
    await offerer?.pc.close();
  });

  /** Answers a loopback offer (no packet leaves 127.0.0.0/8) and collects the addresses the server peer offers. */
  async function gatheredAddresses(hostAddresses: string[]): Promise<string[]> {
    offerer = createLoopbackOfferer();
    peer = weriftPeerFactory({ iceServers: [], portRange: undefined, hostAddresses })();
    const addresses: string[] = [];
    peer.onLocalCandidate((candidate) => addresses.push(candidateAddress(candidate.candidate) ?? '?'));
    await peer.acceptOffer(await createLoopbackOffer(offerer.pc));
    const answer = await peer.createAnswer();
    for (const line of answer.split('\r\n').filter((text) => text.startsWith('a=candidate:'))) {
      addresses.push(candidateAddress(line) ?? '?');
    }
    return [...new Set(addresses)].sort();
  }

  it('127.0.0.1 alone, even on a machine with LAN interfaces', async () => {
    expect(await gatheredAddresses(['127.0.0.1'])).toEqual(['127.0.0.1']);
  });

  it('exactly the list it is given', async () => {
    expect(await gatheredAddresses(['127.0.0.1', '127.0.0.2'])).toEqual(['127.0.0.1', '127.0.0.2']);
  });
});
