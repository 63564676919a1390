import { describe, expect, it } from 'vitest';
import { decodeEnvelope, type Envelope, encodeEnvelope, MalformedEnvelopeError } from '../src/pubsub/redis-envelope.ts';

describe('the RedisPubSub envelope', () => {
  it('has the documented layout', () => {
    const bytes = encodeEnvelope({ origin: 'n1', topic: 't', event: 'ev', exceptId: undefined, payload: { a: 1 } });
    expect([...bytes]).toEqual([
      1, // version
      0, // JSON
      0,
      2,
      ...Buffer.from('n1'),
      0,
      1,
      ...Buffer.from('t'),
      0,
      2,
      ...Buffer.from('ev'),
      0,
      0, // no exceptId
      ...Buffer.from('{"a":1}'),
    ]);
  });

  it('round-trips JSON, raw bytes, non-ASCII fields and exceptId', () => {
    const cases: Envelope[] = [
      {
        origin: 'nœud-1',
        topic: 'room:ü',
        event: 'chat',
        exceptId: 'chan.42',
        payload: { text: '✨', list: [1, null] },
      },
      { origin: 'n', topic: 'bin', event: 'tick', exceptId: undefined, payload: new Uint8Array([0, 255, 0xc3, 0x28]) },
      { origin: 'n', topic: 'bin', event: 'empty', exceptId: undefined, payload: new Uint8Array(0) },
    ];
    for (const envelope of cases) {
      const decoded = decodeEnvelope(encodeEnvelope(envelope));
      expect(decoded).toEqual(envelope);
      if (envelope.payload instanceof Uint8Array) {
        expect(decoded.payload).toBeInstanceOf(Uint8Array);
        expect(Buffer.isBuffer(decoded.payload)).toBe(false);
      }
    }
  });

  it('copies raw-byte payloads out of the received message', () => {
    const message = encodeEnvelope({
      origin: 'n',
      topic: 't',
      event: 'e',
      exceptId: undefined,
      payload: new Uint8Array([7]),
    });
    const decoded = decodeEnvelope(message);
    message.fill(0);
    expect(decoded.payload).toEqual(new Uint8Array([7]));
  });

  it('rejects what is not an envelope of this version', () => {
    const good = encodeEnvelope({ origin: 'n', topic: 't', event: 'e', exceptId: undefined, payload: {} });
    const withByte = (index: number, value: number) => Buffer.from(good).fill(value, index, index + 1);
    expect(() => decodeEnvelope(Buffer.from('hello'))).toThrow(MalformedEnvelopeError);
    expect(() => decodeEnvelope(withByte(0, 2))).toThrow(/version/);
    expect(() => decodeEnvelope(withByte(1, 9))).toThrow(/kind/);
    expect(() => decodeEnvelope(good.subarray(0, 6))).toThrow(/truncated/);
    const notAnObject = encodeEnvelope({ origin: 'n', topic: 't', event: 'e', exceptId: undefined, payload: {} });
    expect(() => decodeEnvelope(Buffer.concat([notAnObject.subarray(0, -2), Buffer.from('42')]))).toThrow(/object/);
  });

  it('refuses fields over 65535 bytes', () => {
    const topic = 'x'.repeat(70_000);
    expect(() => encodeEnvelope({ origin: 'n', topic, event: 'e', exceptId: undefined, payload: {} })).toThrow(
      RangeError,
    );
  });
});
