import { describe, expect, it } from 'vitest';
import { SNAPSHOT_RATE } from '../../src/game/constants.ts';
import { SeededRandom } from '../../src/game/random.ts';
import {
  decodeInput,
  decodeSnapshot,
  encodeInput,
  encodeInputInto,
  encodeSnapshot,
  encodeSnapshotInto,
  INPUT_MESSAGE_BYTES,
  type SnapshotMessage,
  type SnapshotPlayer,
  type StateCodecError,
  type StateDecodeResult,
  setSnapshotAck,
  snapshotByteLength,
} from '../../src/game/state-codec.ts';

function players(count: number): SnapshotPlayer[] {
  return Array.from({ length: count }, (_, slot) => ({
    slot,
    x: 100 + slot * 90.03125,
    y: 999.96875 - slot * 50.5,
    vx: -320 + slot * 40.015625,
    vy: 320 - slot * 3.5,
    score: slot * 1000,
  }));
}

function snapshot(count: number): SnapshotMessage {
  return { tick: 123_456, ackSeq: 77, serverTime: 4_000_000_000, players: players(count) };
}

function errorCode<T>(result: StateDecodeResult<T>): StateCodecError | 'ok' {
  return result.ok ? 'ok' : result.error.code;
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

describe('input messages', () => {
  it('have the documented little-endian layout', () => {
    expect([...encodeInput({ seq: 1, bits: 9, clientTime: 123_456 })]).toEqual([
      1, 1, 1, 0, 0, 0, 9, 0x40, 0xe2, 0x01, 0x00,
    ]);
  });

  it('round-trip, including the extremes', () => {
    for (const input of [
      { seq: 0, bits: 0, clientTime: 0 },
      { seq: 0xffffffff, bits: 15, clientTime: 0xffffffff },
      { seq: 42, bits: 6, clientTime: 1 },
    ]) {
      expect(decodeInput(encodeInput(input))).toEqual({ ok: true, value: input });
    }
  });

  it('wrap counters to uint32 and drop bits above the directions', () => {
    const encoded = encodeInput({ seq: 2 ** 32 + 5, bits: 0x31, clientTime: 2 ** 32 + 9 });
    expect(decodeInput(encoded)).toEqual({ ok: true, value: { seq: 5, bits: 1, clientTime: 9 } });
  });

  it('encode into a reusable buffer at an offset', () => {
    const buffer = new Uint8Array(32).fill(0xaa);
    expect(encodeInputInto({ seq: 3, bits: 2, clientTime: 4 }, buffer, 5)).toBe(INPUT_MESSAGE_BYTES);
    expect(buffer[4]).toBe(0xaa);
    expect(buffer[16]).toBe(0xaa);
    expect(decodeInput(buffer.subarray(5, 16))).toEqual({ ok: true, value: { seq: 3, bits: 2, clientTime: 4 } });
    expect(() => encodeInputInto({ seq: 3, bits: 2, clientTime: 4 }, buffer, 22)).toThrow(RangeError);
  });

  it('reject wrong lengths, versions, kinds and bits', () => {
    const good = encodeInput({ seq: 1, bits: 1, clientTime: 1 });
    expect(errorCode(decodeInput(new Uint8Array(0)))).toBe('truncated');
    expect(errorCode(decodeInput(bytes(1)))).toBe('truncated');
    expect(errorCode(decodeInput(good.subarray(0, 10)))).toBe('truncated');
    expect(errorCode(decodeInput(Uint8Array.from([...good, 0])))).toBe('trailing_bytes');
    expect(errorCode(decodeInput(Uint8Array.from([2, ...good.subarray(1)])))).toBe('unsupported_version');
    expect(errorCode(decodeInput(Uint8Array.from([1, 9, ...good.subarray(2)])))).toBe('unknown_kind');
    expect(errorCode(decodeInput(encodeSnapshot(snapshot(1))))).toBe('wrong_kind');
    const badBits = Uint8Array.from(good);
    badBits[6] = 16;
    expect(errorCode(decodeInput(badBits))).toBe('out_of_range');
  });

  it('say what is wrong', () => {
    const result = decodeInput(bytes(3, 1));
    expect(result).toEqual({
      ok: false,
      error: { code: 'unsupported_version', message: expect.stringContaining('version 3') },
    });
  });
});

describe('snapshot messages', () => {
  it('stay within the byte budget: 103 bytes for 8 players, 191 for 16', () => {
    expect(encodeSnapshot(snapshot(8))).toHaveLength(103);
    expect(encodeSnapshot(snapshot(16))).toHaveLength(191);
    expect(snapshotByteLength(0)).toBe(15);
    // docs/protocol.md §11.7: under 3 KB/s down per player with 8 players.
    expect(snapshotByteLength(8) * SNAPSHOT_RATE).toBeLessThan(3000);
  });

  it('have the documented header layout', () => {
    const encoded = encodeSnapshot({ tick: 0x01020304, ackSeq: 0x0a0b0c0d, serverTime: 0xfffffffe, players: [] });
    expect([...encoded]).toEqual([1, 2, 4, 3, 2, 1, 0x0d, 0x0c, 0x0b, 0x0a, 0xfe, 0xff, 0xff, 0xff, 0]);
  });

  it('round-trip 0, 1, 8 and 16 players losslessly when values are on the grid', () => {
    for (const count of [0, 1, 8, 16]) {
      const message = snapshot(count);
      expect(decodeSnapshot(encodeSnapshot(message))).toEqual({ ok: true, value: message });
    }
  });

  it('round-trip the extremes of every field', () => {
    const message: SnapshotMessage = {
      tick: 0xffffffff,
      ackSeq: 0xffffffff,
      serverTime: 0,
      players: [
        { slot: 15, x: 1600, y: 1000, vx: -320, vy: 320, score: 65_535 },
        { slot: 0, x: 0, y: 0, vx: 0, vy: -1 / 64, score: 0 },
      ],
    };
    expect(decodeSnapshot(encodeSnapshot(message))).toEqual({ ok: true, value: message });
  });

  it('round to the grid and clamp to the valid ranges', () => {
    const encoded = encodeSnapshot({
      tick: 1,
      ackSeq: 0,
      serverTime: 0,
      players: [
        { slot: 0, x: 10.01, y: -5, vx: 1000, vy: -1000, score: 70_000 },
        { slot: 1, x: 5000, y: Number.NaN, vx: 0.004, vy: 0, score: -3 },
      ],
    });
    const decoded = decodeSnapshot(encoded);
    expect(decoded.ok && decoded.value.players).toEqual([
      { slot: 0, x: 10, y: 0, vx: 320, vy: -320, score: 65_535 },
      { slot: 1, x: 1600, y: 0, vx: 0, vy: 0, score: 0 },
    ]);
  });

  it('refuse to encode what no decoder would accept', () => {
    expect(() => encodeSnapshot(snapshot(17))).toThrow(RangeError);
    expect(() =>
      encodeSnapshot({ ...snapshot(0), players: [{ ...players(1)[0], slot: 16 } as SnapshotPlayer] }),
    ).toThrow(RangeError);
    expect(() => encodeSnapshotInto(snapshot(2), new Uint8Array(36))).toThrow(RangeError);
  });

  it('encode once and patch the ack per receiver', () => {
    const scratch = new Uint8Array(256);
    const length = encodeSnapshotInto(snapshot(8), scratch);
    expect(length).toBe(103);
    const forA = scratch.slice(0, length);
    const forB = scratch.slice(0, length);
    setSnapshotAck(forA, 1000);
    setSnapshotAck(forB, 0xffffffff);
    const a = decodeSnapshot(forA);
    const b = decodeSnapshot(forB);
    expect(a.ok && a.value).toEqual({ ...snapshot(8), ackSeq: 1000 });
    expect(b.ok && b.value).toEqual({ ...snapshot(8), ackSeq: 0xffffffff });
  });

  it('decode from an ArrayBuffer and from a view with a byte offset (a Node Buffer)', () => {
    const encoded = encodeSnapshot(snapshot(3));
    expect(decodeSnapshot(encoded.buffer)).toEqual({ ok: true, value: snapshot(3) });
    const padded = new Uint8Array(encoded.length + 7);
    padded.set(encoded, 7);
    expect(decodeSnapshot(padded.subarray(7))).toEqual({ ok: true, value: snapshot(3) });
    expect(decodeSnapshot(new DataView(padded.buffer, 7))).toEqual({ ok: true, value: snapshot(3) });
  });

  it('reject truncation at every length, never reading past the data', () => {
    const encoded = encodeSnapshot(snapshot(16));
    for (let length = 0; length < encoded.length; length++) {
      const result = decodeSnapshot(encoded.slice(0, length));
      expect(errorCode(result), `length ${length}`).toBe('truncated');
    }
  });

  it('reject trailing garbage', () => {
    const encoded = encodeSnapshot(snapshot(2));
    expect(errorCode(decodeSnapshot(Uint8Array.from([...encoded, 0])))).toBe('trailing_bytes');
  });

  it('reject wrong versions and kinds', () => {
    const encoded = encodeSnapshot(snapshot(2));
    const withByte = (index: number, value: number) => {
      const copy = Uint8Array.from(encoded);
      copy[index] = value;
      return copy;
    };
    expect(errorCode(decodeSnapshot(withByte(0, 0)))).toBe('unsupported_version');
    expect(errorCode(decodeSnapshot(withByte(0, 255)))).toBe('unsupported_version');
    expect(errorCode(decodeSnapshot(withByte(1, 0)))).toBe('unknown_kind');
    expect(errorCode(decodeSnapshot(encodeInput({ seq: 1, bits: 0, clientTime: 0 })))).toBe('wrong_kind');
  });

  it('reject absurd player counts before looking at the length', () => {
    const header = encodeSnapshot(snapshot(0));
    for (const count of [17, 255]) {
      const claim = Uint8Array.from(header);
      claim[14] = count;
      expect(errorCode(decodeSnapshot(claim))).toBe('bad_count');
    }
  });

  it('reject out-of-range fields and duplicate slots', () => {
    const encoded = encodeSnapshot(snapshot(2));
    const player1 = 15 + 11;
    const patched = (write: (view: DataView) => void) => {
      const copy = Uint8Array.from(encoded);
      write(new DataView(copy.buffer));
      return decodeSnapshot(copy);
    };
    expect(errorCode(patched((v) => v.setUint8(player1, 16)))).toBe('out_of_range');
    expect(errorCode(patched((v) => v.setUint8(player1, 0)))).toBe('duplicate_slot');
    expect(errorCode(patched((v) => v.setUint16(player1 + 1, 1600 * 32 + 1, true)))).toBe('out_of_range');
    expect(errorCode(patched((v) => v.setUint16(player1 + 3, 1000 * 32 + 1, true)))).toBe('out_of_range');
    expect(errorCode(patched((v) => v.setInt16(player1 + 5, 320 * 64 + 1, true)))).toBe('out_of_range');
    expect(errorCode(patched((v) => v.setInt16(player1 + 7, -32768, true)))).toBe('out_of_range');
    // The boundaries themselves are fine.
    expect(errorCode(patched((v) => v.setUint16(player1 + 1, 1600 * 32, true)))).toBe('ok');
    expect(errorCode(patched((v) => v.setInt16(player1 + 7, -320 * 64, true)))).toBe('ok');
  });

  it('reject text frames and other non-binary data', () => {
    for (const data of ['snapshot', null, undefined, 42, {}, [1, 2]]) {
      expect(errorCode(decodeSnapshot(data as unknown as ArrayBuffer))).toBe('not_binary');
      expect(errorCode(decodeInput(data as unknown as ArrayBuffer))).toBe('not_binary');
    }
  });

  it('never throw on random bytes', () => {
    const random = new SeededRandom(99);
    const known = new Set(['ok', 'truncated', 'trailing_bytes', 'unsupported_version', 'unknown_kind', 'wrong_kind']);
    for (const code of ['bad_count', 'out_of_range', 'duplicate_slot']) known.add(code);
    for (let i = 0; i < 2000; i++) {
      const data = new Uint8Array(random.int(0, 220));
      for (let j = 0; j < data.length; j++) data[j] = random.int(0, 255);
      // Mostly valid headers, so the fuzzing reaches the player loop.
      if (data.length > 2 && i % 2 === 0) {
        data[0] = 1;
        data[1] = 2;
        if (data.length > 14) data[14] = Math.floor((data.length - 15) / 11);
      }
      expect(known.has(errorCode(decodeSnapshot(data)))).toBe(true);
      expect(known.has(errorCode(decodeInput(data)))).toBe(true);
    }
  });
});
