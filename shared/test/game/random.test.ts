import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/game/random.ts';

describe('SeededRandom (mulberry32)', () => {
  it('produces the reference mulberry32 sequence', () => {
    // Values from the canonical one-liner implementation of mulberry32.
    const draw = (seed: number) => {
      const random = new SeededRandom(seed);
      return [random.next(), random.next(), random.next()];
    };
    expect(draw(0)).toEqual([0.26642920868471265, 0.0003297457005828619, 0.2232720274478197]);
    expect(draw(42)).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
    expect(draw(0xffffffff)).toEqual([0.8964226141106337, 0.189478256739676, 0.7156526781618595]);
  });

  it('continues from a stored state exactly where it left off', () => {
    const whole = new SeededRandom(7);
    const expected = [whole.next(), whole.next(), whole.next(), whole.next()];
    const first = new SeededRandom(7);
    const head = [first.next(), first.next()];
    const second = new SeededRandom(first.state);
    expect([...head, second.next(), second.next()]).toEqual(expected);
  });

  it('keeps its state a uint32 and treats seeds modulo 2^32', () => {
    const random = new SeededRandom(-1);
    expect(random.state).toBe(0xffffffff);
    for (let i = 0; i < 100; i++) random.next();
    expect(Number.isInteger(random.state) && random.state >= 0 && random.state <= 0xffffffff).toBe(true);
  });

  it('draws integers within both inclusive bounds and reaches both ends', () => {
    const random = new SeededRandom(123);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const value = random.int(3, 7);
      expect(Number.isInteger(value) && value >= 3 && value <= 7).toBe(true);
      seen.add(value);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });
});
