import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('WebRTC configuration', () => {
  it('defaults to no ICE servers, any port, and loopback alone as the host address on loopback', () => {
    const config = loadConfig({ HOST: '127.0.0.1' });

    expect(config.iceServers).toEqual([]);
    expect(config.rtcPortRange).toBeUndefined();
    expect(config.rtcHostAddresses).toEqual(['127.0.0.1']);
    expect(config.clientIce).toEqual({ servers: [], turn: undefined });
    expect(config.rtcSignalingLimit).toEqual({ burst: 10, perMinute: 30, strikesPerMinute: 20 });
    expect(config.rtcIceLimit).toEqual({ burst: 60, perMinute: 240, strikesPerMinute: 20 });
  });

  it('reads ICE servers, a port range and host addresses', () => {
    const config = loadConfig({
      ICE_SERVERS:
        '[{"urls":"stun:stun.example.org:3478"},{"urls":["turn:t.example.org"],"username":"u","credential":"p"}]',
      RTC_PORT_MIN: '40000',
      RTC_PORT_MAX: '40100',
      RTC_HOST_ADDRESSES: '203.0.113.7, 127.0.0.1',
    });

    expect(config.iceServers).toEqual([
      { urls: 'stun:stun.example.org:3478' },
      { urls: ['turn:t.example.org'], username: 'u', credential: 'p' },
    ]);
    expect(config.rtcPortRange).toEqual([40000, 40100]);
    expect(config.rtcHostAddresses).toEqual(['203.0.113.7', '127.0.0.1']);
  });

  it('an empty RTC_HOST_ADDRESSES counts as unset (chosen from HOST: see host-addresses.test.ts)', () => {
    expect(loadConfig({ HOST: '127.0.0.1', RTC_HOST_ADDRESSES: '' }).rtcHostAddresses).toEqual(['127.0.0.1']);
  });

  it.each([
    [{ ICE_SERVERS: 'stun:x' }, 'ICE_SERVERS: must be a JSON array'],
    [{ ICE_SERVERS: '{"urls":"stun:x"}' }, 'ICE_SERVERS'],
    [{ ICE_SERVERS: '[{"url":"stun:x"}]' }, 'ICE_SERVERS.0.urls'],
    [{ RTC_PORT_MIN: '40000' }, 'set both RTC_PORT_MIN and RTC_PORT_MAX'],
    [{ RTC_PORT_MIN: '40000', RTC_PORT_MAX: '40000' }, 'RTC_PORT_MIN must be below RTC_PORT_MAX'],
    [{ RTC_PORT_MIN: '0', RTC_PORT_MAX: '10' }, 'RTC_PORT_MIN'],
    [{ RTC_HOST_ADDRESSES: 'example.org' }, 'RTC_HOST_ADDRESSES.0'],
    [{ RTC_ICE_BURST: '0' }, 'RTC_ICE_BURST'],
  ])('refuses %j', (env, problem) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(problem);
  });
});
