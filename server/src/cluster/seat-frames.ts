/**
 * Relayed game traffic is binary and tiny (an 11-byte input, a snapshot of a few hundred bytes),
 * so it travels as `[key length: u8][key: ASCII][bytes]` rather than JSON with base64: the key
 * names the seat it belongs to.
 */
export function seatFrame(key: string, bytes: Uint8Array): Uint8Array {
  const frame = new Uint8Array(1 + key.length + bytes.byteLength);
  frame[0] = key.length;
  for (let index = 0; index < key.length; index++) frame[1 + index] = key.charCodeAt(index);
  frame.set(bytes, 1 + key.length);
  return frame;
}

/** The seat key and the bytes of a frame; undefined for a frame too short to hold its key. */
export function readSeatFrame(frame: Uint8Array): { key: string; bytes: Uint8Array } | undefined {
  const length = frame[0];
  if (length === undefined || frame.byteLength < 1 + length) return undefined;
  const key = String.fromCharCode(...frame.subarray(1, 1 + length));
  return { key, bytes: frame.subarray(1 + length) };
}

/** Seat keys: short, ASCII, unique across the cluster. */
export function newSeatKey(): string {
  return crypto.randomUUID().replaceAll('-', '');
}
