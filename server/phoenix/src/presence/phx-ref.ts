import { randomBytes } from 'node:crypto';

// A random per-process prefix keeps refs unique across nodes and restarts.
const nodeBytes = randomBytes(4);
let counter = 0;

/**
 * A unique, opaque `phx_ref`: base64url of 8 bytes of wall-clock microseconds, 4 bytes of this
 * process's random id and a 4-byte counter. Clients only compare refs for equality.
 */
export function newPhxRef(): string {
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeBigUInt64BE(BigInt(Date.now()) * 1000n + BigInt(counter % 1000));
  nodeBytes.copy(bytes, 8);
  bytes.writeUInt32BE(counter, 12);
  counter = (counter + 1) >>> 0;
  return bytes.toString('base64url');
}
