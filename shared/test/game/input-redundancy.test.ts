import { describe, expect, it } from 'vitest';
import {
  decodeInput,
  encodeInput,
  INPUT_HISTORY_HEADER_BYTES,
  INPUT_MESSAGE_BYTES,
  MAX_INPUT_HISTORY,
  previousInputSeq,
  StateCodecError,
  StateMessageKind,
  unpackInputs,
} from '../../src/game/state-codec.ts';

describe('INPUT with history (input redundancy)', () => {
  it('stays the plain 11-byte kind-1 message without earlier inputs', () => {
    const bytes = encodeInput({ seq: 9, bits: 3, clientTime: 1234, earlier: [] });
    expect(bytes.byteLength).toBe(INPUT_MESSAGE_BYTES);
    expect(bytes[1]).toBe(StateMessageKind.input);
    expect(decodeInput(bytes)).toEqual({ ok: true, value: { seq: 9, bits: 3, clientTime: 1234 } });
  });

  it('carries the previous inputs newest first, one byte each, and decodes them back', () => {
    const bytes = encodeInput({ seq: 10, bits: 8, clientTime: 5000, earlier: [4, 4, 1] });
    expect(bytes.byteLength).toBe(INPUT_HISTORY_HEADER_BYTES + 3);
    expect(bytes[1]).toBe(StateMessageKind.inputWithHistory);
    expect(decodeInput(bytes)).toEqual({ ok: true, value: { seq: 10, bits: 8, clientTime: 5000, earlier: [4, 4, 1] } });
  });

  it('unpacks into consecutive inputs, oldest first, across the wrap that skips seq 0', () => {
    expect(unpackInputs({ seq: 10, bits: 8, clientTime: 7, earlier: [4, 2] })).toEqual([
      { seq: 8, bits: 2, clientTime: 7 },
      { seq: 9, bits: 4, clientTime: 7 },
      { seq: 10, bits: 8, clientTime: 7 },
    ]);
    expect(previousInputSeq(1)).toBe(0xffffffff);
    expect(unpackInputs({ seq: 1, bits: 0, clientTime: 0, earlier: [5] }).map((input) => input.seq)).toEqual([
      0xffffffff, 1,
    ]);
  });

  it('keeps at most MAX_INPUT_HISTORY earlier inputs', () => {
    const earlier = Array.from({ length: MAX_INPUT_HISTORY + 4 }, (_, i) => i % 16);
    const decoded = decodeInput(encodeInput({ seq: 100, bits: 0, clientTime: 0, earlier }));
    expect(decoded.ok && decoded.value.earlier).toEqual(earlier.slice(0, MAX_INPUT_HISTORY));
  });

  it('refuses a history that lies about its length or holds bad direction bits', () => {
    const bytes = encodeInput({ seq: 10, bits: 8, clientTime: 5000, earlier: [4, 4] });
    const code = (data: Uint8Array) => {
      const result = decodeInput(data);
      return result.ok ? 'ok' : result.error.code;
    };
    expect(code(bytes.subarray(0, bytes.byteLength - 1))).toBe(StateCodecError.truncated);
    expect(code(Uint8Array.from([...bytes, 0]))).toBe(StateCodecError.trailingBytes);
    const tooMany = Uint8Array.from(bytes);
    tooMany[11] = MAX_INPUT_HISTORY + 1;
    expect(code(tooMany)).toBe(StateCodecError.badCount);
    const badBits = Uint8Array.from(bytes);
    badBits[13] = 0x10;
    expect(code(badBits)).toBe(StateCodecError.outOfRange);
  });
});
