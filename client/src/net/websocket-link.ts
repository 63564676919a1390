import {
  decodeSnapshot,
  GameChannelEvent,
  type GameEventMessage,
  parseGameEvent,
  type SnapshotMessage,
  StateEncoding,
} from '@starcatch/shared';
import type { Channel } from 'phoenix';
import { Listeners } from './game-connection.ts';

/** Bytes of a `snapshot` push: an ArrayBuffer on a V2 socket, `{data: base64}` on a V1 one. */
function snapshotBytes(payload: unknown): ArrayBuffer | Uint8Array | null {
  if (payload instanceof ArrayBuffer) return payload;
  const data = (payload as { data?: unknown } | null)?.data;
  if (typeof data !== 'string') return null;
  try {
    return Uint8Array.from(atob(data), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

function base64(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

/**
 * Game traffic on the room channel: the fallback path, and the only one with `?rtc=off`. Inputs go
 * as binary `input` pushes; phoenix.js only frames an ArrayBuffer as binary (a Uint8Array would be
 * JSON-encoded as an object), so the buffer itself is pushed.
 */
export class WebSocketLink {
  readonly snapshots = new Listeners<SnapshotMessage>();
  readonly events = new Listeners<GameEventMessage>();
  /** Bytes received on this path, for the netcode overlay. */
  bytesIn = 0;
  bytesOut = 0;
  readonly #channel: Channel;
  readonly #heartbeat: ((callback: (ms: number) => void) => boolean) | undefined;
  #encoding: StateEncoding = StateEncoding.binary;

  /** `heartbeat` sends a Phoenix heartbeat and reports its round trip (`GameSocket.ping`). */
  constructor(channel: Channel, heartbeat?: (callback: (ms: number) => void) => boolean) {
    this.#channel = channel;
    this.#heartbeat = heartbeat;
    channel.on(GameChannelEvent.snapshot, (payload: unknown) => {
      const bytes = snapshotBytes(payload);
      if (bytes === null) return;
      this.bytesIn += bytes.byteLength;
      const decoded = decodeSnapshot(bytes);
      if (decoded.ok) this.snapshots.emit(decoded.value);
    });
    channel.on(GameChannelEvent.event, (payload: unknown) => {
      const parsed = parseGameEvent(payload);
      if (parsed.ok) this.events.emit(parsed.event);
    });
    channel.on(GameChannelEvent.notice, (payload: unknown) => {
      console.warn('[starcatch] game traffic dropped by the server', payload);
    });
  }

  /** From the join reply's `state_encoding`. */
  set encoding(encoding: StateEncoding) {
    this.#encoding = encoding;
  }

  send(bytes: Uint8Array<ArrayBuffer>): void {
    this.bytesOut += bytes.byteLength;
    if (this.#encoding === StateEncoding.base64) {
      this.#channel.push(GameChannelEvent.input, { data: base64(bytes) });
      return;
    }
    const buffer =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
    this.#channel.push(GameChannelEvent.input, buffer as unknown as object);
  }

  /**
   * Measures the WebSocket's network round trip with a Phoenix heartbeat (the server answers it at
   * once, behind nothing but the socket's own queue); false when it cannot be sent now.
   */
  ping(callback: (ms: number) => void): boolean {
    return this.#heartbeat?.(callback) ?? false;
  }

  close(): void {
    this.snapshots.clear();
    this.events.clear();
  }
}
