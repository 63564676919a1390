import type { Payload } from '../message.ts';
import { isBinary } from '../message.ts';

/**
 * One broadcast as it travels between nodes through Redis. Binary, so that raw-byte payloads
 * cross without base64 and JSON ones are stringified exactly once:
 *
 *   offset  size  field
 *   0       1     version, 1
 *   1       1     payload kind: 0 = JSON text (UTF-8), 1 = raw bytes
 *   2       2+n   origin node id:  uint16 byte length (big-endian), then UTF-8
 *   …       2+n   topic:           same layout
 *   …       2+n   event:           same layout
 *   …       2+n   exceptId:        same layout; length 0 means none
 *   …       rest  payload
 *
 * The payload runs to the end of the message: Redis messages carry their own length.
 */
export interface Envelope {
  readonly origin: string;
  readonly topic: string;
  readonly event: string;
  readonly exceptId: string | undefined;
  readonly payload: Payload;
}

export const ENVELOPE_VERSION = 1;
const KIND_JSON = 0;
const KIND_BYTES = 1;
const HEADER_BYTES = 2;
const MAX_FIELD_BYTES = 0xffff;

/** A message on a PubSub channel that is not an envelope of this version. */
export class MalformedEnvelopeError extends Error {
  override readonly name = 'MalformedEnvelopeError';
}

/** Throws when a field is longer than 65535 bytes or the JSON payload cannot be stringified. */
export function encodeEnvelope(envelope: Envelope): Buffer {
  const { origin, topic, event, exceptId, payload } = envelope;
  const fields = [origin, topic, event, exceptId ?? ''];
  const fieldBytes = fields.map((field) => Buffer.byteLength(field));
  for (const length of fieldBytes) {
    if (length > MAX_FIELD_BYTES) throw new RangeError(`an envelope field is ${length} bytes, over ${MAX_FIELD_BYTES}`);
  }
  // A `toJSON` may yield undefined, whatever the declared type says.
  const body = isBinary(payload) ? payload : (JSON.stringify(payload) as string | undefined);
  if (body === undefined) throw new TypeError('the payload has no JSON form');
  const payloadBytes = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  const size = HEADER_BYTES + fieldBytes.reduce((sum, length) => sum + 2 + length, 0) + payloadBytes;
  const buffer = Buffer.allocUnsafe(size);
  buffer[0] = ENVELOPE_VERSION;
  buffer[1] = typeof body === 'string' ? KIND_JSON : KIND_BYTES;
  let offset = HEADER_BYTES;
  fields.forEach((field, index) => {
    const length = fieldBytes[index] ?? 0;
    buffer.writeUInt16BE(length, offset);
    buffer.write(field, offset + 2, length, 'utf8');
    offset += 2 + length;
  });
  if (typeof body === 'string') buffer.write(body, offset, payloadBytes, 'utf8');
  else buffer.set(body, offset);
  return buffer;
}

/** Raw-byte payloads come back as a fresh `Uint8Array`: no view into the connection's buffers. */
export function decodeEnvelope(message: Buffer): Envelope {
  if (message.length < HEADER_BYTES || message[0] !== ENVELOPE_VERSION) {
    throw new MalformedEnvelopeError(`not a version ${ENVELOPE_VERSION} envelope`);
  }
  const kind = message[1];
  let offset = HEADER_BYTES;
  const field = (): string => {
    if (offset + 2 > message.length) throw new MalformedEnvelopeError('envelope truncated');
    const length = message.readUInt16BE(offset);
    const end = offset + 2 + length;
    if (end > message.length) throw new MalformedEnvelopeError('envelope truncated');
    const value = message.toString('utf8', offset + 2, end);
    offset = end;
    return value;
  };
  const origin = field();
  const topic = field();
  const event = field();
  const exceptId = field();
  let payload: Payload;
  if (kind === KIND_BYTES) {
    payload = new Uint8Array(message.subarray(offset));
  } else if (kind === KIND_JSON) {
    payload = parseJsonObject(message.toString('utf8', offset));
  } else {
    throw new MalformedEnvelopeError(`unknown payload kind ${kind}`);
  }
  return { origin, topic, event, exceptId: exceptId === '' ? undefined : exceptId, payload };
}

function parseJsonObject(text: string): object {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedEnvelopeError('envelope payload is not JSON');
  }
  if (typeof value !== 'object' || value === null)
    throw new MalformedEnvelopeError('envelope payload is not an object');
  return value;
}
