import { describe, expect, it } from 'vitest';
import { FALLBACK_COLOR, type PresenceMeta, toOnlineUsers } from '../src/state/online-users.ts';

function meta(nickname: string, onlineAt: number, ref: string, color = '#4d96ff'): PresenceMeta {
  return { nickname, color, online_at: onlineAt, phx_ref: ref };
}

describe('toOnlineUsers', () => {
  it('lists a user with several tabs once, counting the tabs and keeping the oldest online time', () => {
    const users = toOnlineUsers([['u1', [meta('Vega', 300, 'a'), meta('Vega', 100, 'b'), meta('Vega', 200, 'c')]]]);
    expect(users).toEqual([{ id: 'u1', nickname: 'Vega', color: '#4d96ff', tabs: 3, onlineSince: 100 }]);
  });

  it('sorts by nickname without regard to case, numbers in numeric order, then by id', () => {
    const users = toOnlineUsers([
      ['u4', [meta('pilot10', 1, 'a')]],
      ['u3', [meta('Zed', 1, 'b')]],
      ['u2', [meta('pilot2', 1, 'c')]],
      ['u1', [meta('ANN', 1, 'd')]],
      ['u0', [meta('ann', 1, 'e')]],
    ]);
    expect(users.map((user) => `${user.nickname}/${user.id}`)).toEqual([
      'ann/u0',
      'ANN/u1',
      'pilot2/u2',
      'pilot10/u4',
      'Zed/u3',
    ]);
  });

  it('skips users whose last tab left but whose key lingers', () => {
    expect(toOnlineUsers([['u1', []]])).toEqual([]);
  });

  it('replaces a colour that is not #rrggbb, so it never reaches a style attribute', () => {
    const [user] = toOnlineUsers([['u1', [meta('Vega', 1, 'a', 'red; background: url(x)')]]]);
    expect(user?.color).toBe(FALLBACK_COLOR);
  });
});
