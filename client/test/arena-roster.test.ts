import { describe, expect, it } from 'vitest';
import { seatPilots } from '../src/game/arena-roster.ts';

const member = (id: string) => ({ id, nickname: id.toUpperCase(), color: '#4d96ff' });

describe('seatPilots', () => {
  it('puts you on your own slot and the others on the free ones in order', () => {
    const pilots = seatPilots([member('a'), member('me'), member('b')], 'me', 0, 16);
    expect(pilots.map((p) => [p.id, p.slot, p.isYou])).toEqual([
      ['a', 1, false],
      ['me', 0, true],
      ['b', 2, false],
    ]);
  });

  it('seats everyone in order before your slot is known, and nobody past the last slot', () => {
    expect(seatPilots([member('a'), member('b')], 'me', null, 16).map((p) => p.slot)).toEqual([0, 1]);
    expect(seatPilots([member('a'), member('b'), member('c')], 'me', null, 2).map((p) => p.id)).toEqual(['a', 'b']);
  });
});
