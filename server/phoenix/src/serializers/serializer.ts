import type { Frame, InboundMessage, OutboundMessage, OutboundReply } from '../message.ts';

/**
 * Turns WebSocket frames into messages and back. One instance per protocol version, shared by every
 * socket that negotiated it, so a broadcast can be encoded once per serializer (see `fastlane.ts`).
 */
export interface Serializer {
  /** `"1.0.0"` or `"2.0.0"`, the protocol version this serializer speaks. */
  readonly vsn: string;
  /** Whether binary payloads can be sent to a client using this serializer. */
  readonly supportsBinary: boolean;
  /** Throws `MalformedFrameError` when the frame is not a Phoenix message. */
  decode(data: Uint8Array, isBinary: boolean): InboundMessage;
  /** Pushes, lifecycle frames and broadcasts. Throws `UnencodableMessageError` when impossible. */
  encodeMessage(message: OutboundMessage): Frame;
  encodeReply(reply: OutboundReply): Frame;
}
