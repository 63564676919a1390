import { describe, expect, it } from 'vitest';
import { wantsDebugHandle } from '../src/debug-handle.ts';
import { takeSnapshot } from '../src/debug-snapshot.ts';
import { createStores } from '../src/state/stores.ts';

const user = { id: 'u1', nickname: 'Vega', color: '#ffd93d' };
const vega = { id: 'u1', nickname: 'Vega', color: '#ffd93d', tabs: 1, onlineSince: 5 };
const room = { id: 'r1', name: 'Nebula', max_players: 8, players: 1, state: 'waiting' as const };

describe('takeSnapshot', () => {
  it('is a deeply frozen copy that leaves the token out', () => {
    const stores = createStores(null);
    stores.session.setState({ nickname: 'Vega', token: 'secret', user });
    stores.lobby.setState({ status: 'joined', online: [vega], rooms: [] });
    stores.net.setState({ status: 'open' });

    const snapshot = takeSnapshot(stores);
    expect(snapshot).toEqual({
      session: { signedIn: true, nickname: 'Vega', user, notice: null },
      lobby: { status: 'joined', online: [vega], rooms: [] },
      room: null,
      chat: { lobby: [], room: [], pending: [] },
      net: {
        status: 'open',
        socketTransport: null,
        transport: null,
        rtt: null,
        rttByTransport: {},
        networkRtt: null,
        networkRttByTransport: {},
        netcode: null,
        impairment: { lagMs: 0, jitterMs: 0, lossPercent: 0 },
        dataChannels: { events: false, state: false },
        rtcOpenMs: null,
      },
      game: {
        you: null,
        players: [],
        stars: [],
        round: { phase: 'waiting', round: 0, remainingMs: null, winners: [] },
      },
    });
    expect(JSON.stringify(snapshot)).not.toContain('secret');
    expect(Object.isFrozen(snapshot.lobby.online[0])).toBe(true);
    expect(snapshot.session.user).not.toBe(user);
  });

  it('shows the joined room with its slot and members, fresher from the lobby list when it has it', () => {
    const stores = createStores(null);
    const member = {
      id: 'u1',
      nickname: 'Vega',
      color: '#ffd93d',
      tabs: 2,
      transports: ['webrtc', 'websocket'] as const,
    };
    stores.room.setState({ status: 'joined', roomId: 'r1', summary: room, slot: 3, members: [member], refusal: null });
    expect(takeSnapshot(stores).room).toEqual({ ...room, status: 'joined', slot: 3, members: [member] });

    stores.lobby.setState({ rooms: [{ ...room, players: 2, state: 'playing' }] });
    expect(takeSnapshot(stores).room).toMatchObject({ players: 2, state: 'playing', slot: 3 });

    stores.room.setState({ status: 'joining', summary: null, slot: null });
    expect(takeSnapshot(stores).room).toBeNull();
  });
});

describe('wantsDebugHandle', () => {
  it('is on outside production, and in production only with ?debug=1', () => {
    expect(wantsDebugHandle('development', '')).toBe(true);
    expect(wantsDebugHandle('test', '')).toBe(true);
    expect(wantsDebugHandle('production', '')).toBe(false);
    expect(wantsDebugHandle('production', '?debug=0')).toBe(false);
    expect(wantsDebugHandle('production', '?x=1&debug=1')).toBe(true);
  });
});
