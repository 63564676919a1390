import type { InboundMessage } from '../message.ts';
import { MalformedFrameError, UnencodableMessageError } from './malformed-frame-error.ts';

/**
 * The V2 binary frame layouts. Every header field is prefixed by a one-byte length, so join_ref,
 * ref, topic, event and status are each at most 255 bytes; the payload is the rest of the frame.
 */
export const BinaryKind = { push: 0, reply: 1, broadcast: 2 } as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const MAX_FIELD_BYTES = 255;

function fieldBytes(value: string, name: string): Uint8Array {
  const bytes = encoder.encode(value);
  if (bytes.length > MAX_FIELD_BYTES) {
    throw new UnencodableMessageError(`${name} is ${bytes.length} bytes; binary frames allow ${MAX_FIELD_BYTES}`);
  }
  return bytes;
}

function assemble(kind: number, fields: Uint8Array[], payload: Uint8Array): Uint8Array {
  const headerLength = 1 + fields.length;
  let length = headerLength + payload.length;
  for (const field of fields) length += field.length;
  const frame = new Uint8Array(length);
  frame[0] = kind;
  let offset = headerLength;
  fields.forEach((field, i) => {
    frame[1 + i] = field.length;
    frame.set(field, offset);
    offset += field.length;
  });
  frame.set(payload, offset);
  return frame;
}

/** Server push: `0, len(join_ref), len(topic), len(event), join_ref, topic, event, payload` (no ref). */
export function encodeBinaryPush(
  joinRef: string | null,
  topic: string,
  event: string,
  payload: Uint8Array,
): Uint8Array {
  // A missing join_ref travels as the empty string, which the client treats as "no join_ref".
  const fields = [fieldBytes(joinRef ?? '', 'join_ref'), fieldBytes(topic, 'topic'), fieldBytes(event, 'event')];
  return assemble(BinaryKind.push, fields, payload);
}

/** Reply: `1, len(join_ref), len(ref), len(topic), len(status), join_ref, ref, topic, status, payload`. */
export function encodeBinaryReply(
  joinRef: string | null,
  ref: string,
  topic: string,
  status: string,
  payload: Uint8Array,
): Uint8Array {
  const fields = [
    fieldBytes(joinRef ?? '', 'join_ref'),
    fieldBytes(ref, 'ref'),
    fieldBytes(topic, 'topic'),
    fieldBytes(status, 'status'),
  ];
  return assemble(BinaryKind.reply, fields, payload);
}

/** Broadcast: `2, len(topic), len(event), topic, event, payload`. */
export function encodeBinaryBroadcast(topic: string, event: string, payload: Uint8Array): Uint8Array {
  return assemble(BinaryKind.broadcast, [fieldBytes(topic, 'topic'), fieldBytes(event, 'event')], payload);
}

/** Client push: `0, len(join_ref), len(ref), len(topic), len(event), join_ref, ref, topic, event, payload`. */
export function decodeBinaryPush(frame: Uint8Array): InboundMessage {
  if (frame.length < 5 || frame[0] !== BinaryKind.push) {
    throw new MalformedFrameError('binary frames from clients must be kind 0 (push) with a 5-byte header');
  }
  const lengths = [frame[1] ?? 0, frame[2] ?? 0, frame[3] ?? 0, frame[4] ?? 0];
  const headerEnd = 5 + lengths.reduce((sum, n) => sum + n, 0);
  if (headerEnd > frame.length) throw new MalformedFrameError('binary frame is shorter than its header says');
  const fields: string[] = [];
  let offset = 5;
  for (const length of lengths) {
    try {
      fields.push(decoder.decode(frame.subarray(offset, offset + length)));
    } catch {
      throw new MalformedFrameError('binary frame header is not valid UTF-8');
    }
    offset += length;
  }
  const [joinRef = '', ref = '', topic = '', event = ''] = fields;
  if (topic === '' || event === '') throw new MalformedFrameError('binary push needs a topic and an event');
  return {
    joinRef: joinRef === '' ? null : joinRef,
    ref: ref === '' ? null : ref,
    topic,
    event,
    // A copy as a plain Uint8Array (Buffer#slice would share memory and pin the receive buffer).
    payload: new Uint8Array(frame.subarray(headerEnd)),
  };
}
