import { describe, expect, it } from 'vitest';
import { isNewerSequence, NewestSequenceFilter, toWireTime, wireTimeDelta } from '../../src/game/sequence.ts';

describe('isNewerSequence', () => {
  it('orders nearby uint32 values, across the wrap', () => {
    expect(isNewerSequence(2, 1)).toBe(true);
    expect(isNewerSequence(1, 2)).toBe(false);
    expect(isNewerSequence(5, 5)).toBe(false);
    expect(isNewerSequence(0, 0xffffffff)).toBe(true);
    expect(isNewerSequence(3, 0xfffffffe)).toBe(true);
    expect(isNewerSequence(0xffffffff, 0)).toBe(false);
    expect(isNewerSequence(0x7fffffff, 0)).toBe(true);
    expect(isNewerSequence(0x80000000, 0)).toBe(false);
  });
});

describe('NewestSequenceFilter', () => {
  it('drops duplicates and anything older than the newest accepted', () => {
    const filter = new NewestSequenceFilter();
    expect(filter.newest).toBeNull();
    expect(filter.accept(10)).toBe(true);
    expect(filter.accept(9)).toBe(false);
    expect(filter.accept(10)).toBe(false);
    expect(filter.accept(12)).toBe(true);
    expect(filter.accept(11)).toBe(false);
    expect(filter.newest).toBe(12);
  });

  it('keeps accepting across the uint32 wrap', () => {
    const filter = new NewestSequenceFilter();
    expect(filter.accept(0xfffffffe)).toBe(true);
    expect(filter.accept(1)).toBe(true);
    expect(filter.accept(0xffffffff)).toBe(false);
    expect(filter.newest).toBe(1);
  });

  it('accepts anything after a reset', () => {
    const filter = new NewestSequenceFilter();
    filter.accept(500);
    filter.reset();
    expect(filter.accept(3)).toBe(true);
  });
});

describe('wire time', () => {
  it('is whole milliseconds modulo 2^32', () => {
    expect(toWireTime(1234.9)).toBe(1234);
    expect(toWireTime(2 ** 32 + 7.5)).toBe(7);
    expect(toWireTime(0)).toBe(0);
  });

  it('subtracts across the wrap', () => {
    expect(wireTimeDelta(5, 0xfffffffb)).toBe(10);
    expect(wireTimeDelta(0xfffffffb, 5)).toBe(-10);
    expect(wireTimeDelta(1000, 400)).toBe(600);
  });
});
