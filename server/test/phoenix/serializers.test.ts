import {
  MalformedFrameError,
  negotiateSerializer,
  UnencodableMessageError,
  v1JsonSerializer,
  v2JsonSerializer,
} from '@starcatch/phoenix';
import { describe, expect, it } from 'vitest';

const text = (value: unknown) => Buffer.from(JSON.stringify(value));
const hex = (frame: string | Uint8Array) => Buffer.from(frame as Uint8Array).toString('hex');
const bytes = new Uint8Array([1, 2]);

describe('vsn negotiation', () => {
  it('maps no vsn and 1.0.x to V1, 2.0.x to V2, anything else to null', () => {
    expect(negotiateSerializer(undefined)).toBe(v1JsonSerializer);
    expect(negotiateSerializer('1.0.0')).toBe(v1JsonSerializer);
    expect(negotiateSerializer('2.0.0')).toBe(v2JsonSerializer);
    expect(negotiateSerializer('2.0.7')).toBe(v2JsonSerializer);
    for (const vsn of ['3.0.0', '2.1.0', 'abc', '2', '', '123.1.1']) expect(negotiateSerializer(vsn)).toBeNull();
  });
});

describe('V2 JSON serializer', () => {
  it('decodes [join_ref, ref, topic, event, payload] and ignores extra elements', () => {
    expect(v2JsonSerializer.decode(text(['1', '2', 'room:1', 'ev', { a: 1 }, 'extra']), false)).toEqual({
      joinRef: '1',
      ref: '2',
      topic: 'room:1',
      event: 'ev',
      payload: { a: 1 },
    });
    expect(v2JsonSerializer.decode(text([null, '5', 'phoenix', 'heartbeat', {}]), false).joinRef).toBeNull();
  });

  it.each([
    ['not JSON', Buffer.from('[1,')],
    ['an object', text({ topic: 't', event: 'e', payload: {}, ref: '1' })],
    ['a short array', text(['1', '1', 't', 'e'])],
    ['a numeric ref', text([null, 5, 't', 'e', {}])],
    ['an empty topic', text([null, '1', '', 'e', {}])],
    ['invalid UTF-8', Buffer.from([0x5b, 0xff, 0x5d])],
  ])('rejects %s as malformed', (_name, frame) => {
    expect(() => v2JsonSerializer.decode(frame, false)).toThrow(MalformedFrameError);
  });

  it('encodes pushes, broadcasts and replies as arrays', () => {
    const push = v2JsonSerializer.encodeMessage({ joinRef: '1', ref: null, topic: 't', event: 'e', payload: { a: 1 } });
    expect(JSON.parse(push as string)).toEqual(['1', null, 't', 'e', { a: 1 }]);
    const reply = v2JsonSerializer.encodeReply({ joinRef: '1', ref: '7', topic: 't', status: 'ok', response: {} });
    expect(JSON.parse(reply as string)).toEqual(['1', '7', 't', 'phx_reply', { status: 'ok', response: {} }]);
  });

  it('decodes a binary client push (kind 0, four length bytes)', () => {
    const frame = Buffer.from('000101060333377' + '26f6f6d3a3162696e0102', 'hex');
    expect(v2JsonSerializer.decode(frame, true)).toEqual({
      joinRef: '3',
      ref: '7',
      topic: 'room:1',
      event: 'bin',
      payload: new Uint8Array([1, 2]),
    });
  });

  it('rejects binary frames whose header does not fit', () => {
    expect(() => v2JsonSerializer.decode(Buffer.from('0001010603', 'hex'), true)).toThrow(MalformedFrameError);
    expect(() => v2JsonSerializer.decode(Buffer.from('02060372', 'hex'), true)).toThrow(MalformedFrameError);
  });

  it('encodes binary push, reply and broadcast with the layouts phoenix.js decodes', () => {
    const push = v2JsonSerializer.encodeMessage({
      joinRef: '3',
      ref: null,
      topic: 'room:1',
      event: 'bin',
      payload: bytes,
    });
    expect(hex(push)).toBe('0001060333726f6f6d3a3162696e0102');
    const reply = v2JsonSerializer.encodeReply({
      joinRef: '3',
      ref: '7',
      topic: 'room:1',
      status: 'ok',
      response: bytes,
    });
    expect(hex(reply)).toBe('010101060233377' + '26f6f6d3a316f6b0102');
    const broadcast = v2JsonSerializer.encodeMessage({
      joinRef: null,
      ref: null,
      topic: 'room:1',
      event: 'bin',
      payload: bytes,
    });
    expect(hex(broadcast)).toBe('020603726f6f6d3a3162696e0102');
  });

  it('refuses header fields longer than 255 bytes', () => {
    const topic = `room:${'x'.repeat(300)}`;
    expect(() =>
      v2JsonSerializer.encodeMessage({ joinRef: '1', ref: null, topic, event: 'bin', payload: bytes }),
    ).toThrow(UnencodableMessageError);
  });
});

describe('V1 JSON serializer', () => {
  it('decodes objects with topic, event, payload and ref; join_ref optional', () => {
    const frame = text({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '1' });
    expect(v1JsonSerializer.decode(frame, false)).toEqual({
      joinRef: null,
      ref: '1',
      topic: 'phoenix',
      event: 'heartbeat',
      payload: {},
    });
  });

  it('rejects arrays, missing keys and binary frames', () => {
    expect(() => v1JsonSerializer.decode(text(['1', '1', 't', 'e', {}]), false)).toThrow(MalformedFrameError);
    expect(() => v1JsonSerializer.decode(text({ topic: 't', event: 'e', ref: '1' }), false)).toThrow(
      MalformedFrameError,
    );
    expect(() => v1JsonSerializer.decode(Buffer.from([0]), true)).toThrow(MalformedFrameError);
  });

  it('never writes join_ref', () => {
    const reply = JSON.parse(
      v1JsonSerializer.encodeReply({ joinRef: '1', ref: '1', topic: 't', status: 'ok', response: {} }) as string,
    );
    expect(reply).toEqual({ topic: 't', event: 'phx_reply', payload: { status: 'ok', response: {} }, ref: '1' });
    const close = JSON.parse(
      v1JsonSerializer.encodeMessage({ joinRef: '1', ref: '1', topic: 't', event: 'phx_close', payload: {} }) as string,
    );
    expect(close).toEqual({ topic: 't', event: 'phx_close', payload: {}, ref: '1' });
    expect('join_ref' in close).toBe(false);
  });

  it('cannot carry binary payloads', () => {
    expect(() =>
      v1JsonSerializer.encodeMessage({ joinRef: null, ref: null, topic: 't', event: 'e', payload: bytes }),
    ).toThrow(UnencodableMessageError);
  });
});
