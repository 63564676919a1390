import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { DEFAULT_ADDRESS_LIMITS } from '../../src/limits/address-limits.ts';
import { DEFAULT_ROOM_LIMITS } from '../../src/limits/room-limits.ts';
import { DEFAULT_PEER_LIMITS } from '../../src/rtc/signaling-session.ts';

describe('limit settings', () => {
  it('has a default for every limit and trusts no proxy unless told', () => {
    const config = loadConfig({});
    expect(config.trustedProxies).toBe(false);
    expect(config.addressLimits).toEqual(DEFAULT_ADDRESS_LIMITS);
    expect(config.roomLimits).toEqual(DEFAULT_ROOM_LIMITS);
    expect(config.rtcPeerLimits).toEqual(DEFAULT_PEER_LIMITS);
  });

  it('reads TRUSTED_PROXIES as IPs and CIDRs, and every limit from its variable', () => {
    const config = loadConfig({
      TRUSTED_PROXIES: ' 10.0.0.0/8, 127.0.0.1,::1 ,fd00::/8',
      SIGN_INS_PER_ADDRESS_PER_MINUTE: '1',
      SOCKET_CONNECTS_PER_ADDRESS_PER_MINUTE: '2',
      MAX_SOCKETS_PER_ADDRESS: '3',
      ROOM_CREATES_PER_ADDRESS_PER_MINUTE: '4',
      ROOM_CREATES_PER_USER_PER_MINUTE: '5',
      ROOM_JOINS_PER_SOCKET_PER_MINUTE: '6',
      SOCKET_MAX_ROOMS: '1',
      MAX_OPEN_ROOMS: '8',
      RTC_MAX_PEERS_PER_USER: '9',
      RTC_MAX_PEERS: '10',
      RTC_OPEN_TIMEOUT_MS: '11',
    });
    expect(config.trustedProxies).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']);
    expect(config.addressLimits).toEqual({
      signInsPerMinute: 1,
      socketConnectsPerMinute: 2,
      maxSockets: 3,
      roomCreatesPerMinute: 4,
    });
    expect(config.roomLimits).toEqual({
      createsPerUserPerMinute: 5,
      joinsPerSocketPerMinute: 6,
      maxRoomsPerSocket: 1,
      maxOpenRooms: 8,
    });
    expect(config.rtcPeerLimits).toEqual({ maxPerUser: 9, maxTotal: 10, openTimeoutMs: 11 });
  });

  it('refuses a proxy that is not an IP or a CIDR, and limits that are not positive', () => {
    expect(() => loadConfig({ TRUSTED_PROXIES: 'proxy.example.org' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/TRUSTED_PROXIES/);
    expect(() => loadConfig({ MAX_OPEN_ROOMS: '0' })).toThrow(/MAX_OPEN_ROOMS/);
    expect(() => loadConfig({ SOCKET_MAX_ROOMS: '1.5' })).toThrow(/SOCKET_MAX_ROOMS/);
  });
});
