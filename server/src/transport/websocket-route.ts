import type { ChannelContext, Payload } from '@starcatch/phoenix';
import {
  type Base64StatePayload,
  GameChannelEvent,
  type GameEventMessage,
  type GameNoticePayload,
  StateEncoding,
} from '@starcatch/shared';
import type { SnapshotDelivery } from '../game/player-link.ts';

/**
 * The longest base64 `input` taken from a V1 socket. An INPUT message is 11 bytes (16 characters
 * of base64); anything much longer is not one, and is refused before it is decoded.
 */
const MAX_BASE64_STATE_LENGTH = 64;

/** `input` / `snapshot` payload for a socket: the bytes on V2, `{data: base64}` on V1. */
export function statePayload(bytes: Uint8Array, encoding: StateEncoding): Payload {
  if (encoding === StateEncoding.binary) return bytes;
  const payload: Base64StatePayload = {
    data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  };
  return payload;
}

/** The bytes of a client `input` payload in either encoding; undefined when it is neither. */
export function readStatePayload(payload: unknown): Uint8Array | undefined {
  if (payload instanceof Uint8Array) return payload;
  const data = (payload as Partial<Base64StatePayload> | null)?.data;
  if (typeof data !== 'string' || data.length > MAX_BASE64_STATE_LENGTH) return undefined;
  return Buffer.from(data, 'base64');
}

/**
 * Game traffic as pushes on the player's `room:<id>` channel: the fallback path, and the only
 * one until the player's WebRTC peer has both channels open. Like the DataChannel route, it skips
 * snapshots while the socket's unsent backlog is past `maxBufferedBytes`: a client that cannot keep
 * up gets the newest state once it drains, instead of a queue of stale ones growing in the server.
 * Events are never skipped (they are reliable; TCP paces them).
 */
export class WebSocketRoute {
  readonly #channel: ChannelContext<object>;
  readonly #maxBufferedBytes: number;

  constructor(channel: ChannelContext<object>, maxBufferedBytes: number) {
    this.#channel = channel;
    this.#maxBufferedBytes = maxBufferedBytes;
  }

  /** How this socket carries `input` and `snapshot`: V1 serializers cannot send binary frames. */
  get encoding(): StateEncoding {
    return this.#channel.supportsBinary ? StateEncoding.binary : StateEncoding.base64;
  }

  sendSnapshot(bytes: Uint8Array): SnapshotDelivery {
    if (this.#channel.sendBacklog > this.#maxBufferedBytes) return 'skipped';
    this.#channel.push(GameChannelEvent.snapshot, statePayload(bytes, this.encoding));
    return 'sent';
  }

  sendEvent(event: GameEventMessage): void {
    this.#channel.push(GameChannelEvent.event, event);
  }

  sendNotice(notice: GameNoticePayload): void {
    this.#channel.push(GameChannelEvent.notice, notice);
  }
}
