import { describe, expect, it } from 'vitest';
import { parseIceServers } from '../src/webrtc.ts';

describe('parseIceServers', () => {
  it('keeps well-formed entries and drops the rest', () => {
    expect(
      parseIceServers({
        ice_servers: [
          { urls: 'stun:a' },
          { urls: ['turn:b'], username: 'u', credential: 'p' },
          { urls: [] },
          { urls: 7 },
          { urls: 'turn:c', username: 1 },
          null,
        ],
      }),
    ).toEqual([{ urls: 'stun:a' }, { urls: ['turn:b'], username: 'u', credential: 'p' }]);
    expect(parseIceServers({})).toEqual([]);
    expect(parseIceServers(null)).toEqual([]);
  });
});
