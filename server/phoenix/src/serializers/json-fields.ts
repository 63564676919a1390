import { MalformedFrameError } from './malformed-frame-error.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses the UTF-8 JSON text of a frame, with one clear error for anything that is not JSON. */
export function parseJsonFrame(data: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(data));
  } catch {
    throw new MalformedFrameError('frame is not valid UTF-8 JSON');
  }
}

/**
 * The most UTF-8 bytes of a ref, join_ref, topic or event: what a V2 binary frame can carry (a
 * one-byte length), so every header the server echoes fits any reply it may have to write. A text
 * frame with a longer one is malformed (close 1007), as a binary frame cannot even express it.
 */
export const MAX_HEADER_FIELD_BYTES = 255;

/** A ref or join_ref: an opaque string, or null when absent. */
export function refField(value: unknown, name: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return bounded(value, name);
  throw new MalformedFrameError(`${name} must be a string or null`);
}

/** A topic or event: a non-empty string. */
export function stringField(value: unknown, name: string): string {
  if (typeof value === 'string' && value.length > 0) return bounded(value, name);
  throw new MalformedFrameError(`${name} must be a non-empty string`);
}

function bounded(value: string, name: string): string {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short strings need no counting.
  if (value.length * 3 <= MAX_HEADER_FIELD_BYTES) return value;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_HEADER_FIELD_BYTES) {
    throw new MalformedFrameError(`${name} is ${bytes} bytes; at most ${MAX_HEADER_FIELD_BYTES} allowed`);
  }
  return value;
}
