/** The shapes that travel between the transport, the serializers and the channels. */

/** A JSON payload: any object (validated by the channel that receives it). */
export type JsonPayload = object;
/** A payload is JSON, or raw bytes carried by a V2 binary frame. */
export type Payload = JsonPayload | Uint8Array;

/** One decoded client frame. `joinRef` and `ref` are opaque strings, echoed exactly. */
export interface InboundMessage {
  readonly joinRef: string | null;
  readonly ref: string | null;
  readonly topic: string;
  readonly event: string;
  /** Decoded JSON (`unknown`: channels validate it) or the raw bytes of a binary push. */
  readonly payload: unknown;
}

/** A server push, lifecycle frame (`phx_close` / `phx_error`) or broadcast. */
export interface OutboundMessage {
  readonly joinRef: string | null;
  readonly ref: string | null;
  readonly topic: string;
  readonly event: string;
  readonly payload: Payload;
}

export type ReplyStatus = 'ok' | 'error' | (string & {});

/** A `phx_reply` to the client push whose ref it carries. */
export interface OutboundReply {
  readonly joinRef: string | null;
  readonly ref: string;
  readonly topic: string;
  readonly status: ReplyStatus;
  readonly response: Payload;
}

/** What a serializer produces: a string goes out as a text frame, bytes as a binary frame. */
export type Frame = string | Uint8Array;

export function isBinary(payload: unknown): payload is Uint8Array {
  return payload instanceof Uint8Array;
}
