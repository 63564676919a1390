import { describe, expect, it } from 'vitest';
import { wantsDebugHandle } from '../src/debug-handle.ts';
import { takeSnapshot } from '../src/debug-snapshot.ts';
import { createStores } from '../src/state/stores.ts';

describe('takeSnapshot', () => {
  it('is a deeply frozen copy that leaves the token out', () => {
    const stores = createStores(null);
    const user = { id: 'u1', nickname: 'Vega', color: '#ffd93d' };
    stores.session.setState({ nickname: 'Vega', token: 'secret', user });
    stores.lobby.setState({
      status: 'joined',
      online: [{ id: 'u1', nickname: 'Vega', color: '#ffd93d', tabs: 1, onlineSince: 5 }],
    });
    stores.net.setState({ status: 'open' });

    const snapshot = takeSnapshot(stores);
    expect(snapshot).toEqual({
      session: { signedIn: true, nickname: 'Vega', user, notice: null },
      lobby: { status: 'joined', online: [{ id: 'u1', nickname: 'Vega', color: '#ffd93d', tabs: 1, onlineSince: 5 }] },
      net: { status: 'open' },
    });
    expect(JSON.stringify(snapshot)).not.toContain('secret');
    expect(Object.isFrozen(snapshot.lobby.online[0])).toBe(true);
    expect(snapshot.session.user).not.toBe(user);
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
