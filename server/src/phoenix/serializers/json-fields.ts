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

/** A ref or join_ref: an opaque string, or null when absent. */
export function refField(value: unknown, name: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  throw new MalformedFrameError(`${name} must be a string or null`);
}

export function stringField(value: unknown, name: string): string {
  if (typeof value === 'string' && value.length > 0) return value;
  throw new MalformedFrameError(`${name} must be a non-empty string`);
}
