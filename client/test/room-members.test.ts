import { describe, expect, it } from 'vitest';
import type { PresenceMeta } from '../src/state/online-users.ts';
import { toRoomMembers } from '../src/state/room-members.ts';

const meta = (ref: string, extra: Record<string, unknown> = {}): PresenceMeta =>
  ({ nickname: 'Vega', color: '#ffd93d', online_at: 5, phx_ref: ref, ...extra }) as PresenceMeta;

describe('toRoomMembers', () => {
  it('lists each tab’s transport, counting a missing or unknown one as the WebSocket', () => {
    const members = toRoomMembers([
      ['u1', [meta('a', { transport: 'webrtc' }), meta('b', { transport: 'websocket' })]],
      ['u2', [meta('c'), meta('d', { transport: 'carrier-pigeon' })]],
    ]);
    expect(members.map(({ id, tabs, transports }) => ({ id, tabs, transports }))).toEqual([
      { id: 'u1', tabs: 2, transports: ['webrtc', 'websocket'] },
      { id: 'u2', tabs: 2, transports: ['websocket', 'websocket'] },
    ]);
  });
});
