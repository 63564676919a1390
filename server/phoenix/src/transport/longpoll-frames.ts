import type { InboundMessage, OutboundMessage, OutboundReply } from '../message.ts';
import { isBinary } from '../message.ts';
import { UnencodableMessageError } from '../serializers/malformed-frame-error.ts';
import type { Serializer } from '../serializers/serializer.ts';

/**
 * What travels in LongPoll request and response bodies, apart from the HTTP plumbing.
 *
 * Client → server (POST): phoenix.js ≥ 1.7 batches its frames as `application/x-ndjson`, one per
 * line; a binary frame (V2 binary push, phoenix.js ≥ 1.7.7) is a line of standard base64. Any other
 * content type (phoenix.js ≤ 1.6, V1 clients) is one text frame per request.
 *
 * Server → client (GET): `{"status": 200, "token": …, "messages": [<text frame>, …]}`. Phoenix.js
 * (every version up to 1.8) hands each message to its JSON decoder, so nothing binary can go this
 * way: a LongPoll connection is text-only, like V1 (see `textOnly`).
 */

/** phoenix.js sends at most this many frames per POST; later lines are ignored, as Phoenix does. */
export const MAX_LONGPOLL_BATCH = 100;

/** One client frame taken from a POST body. */
export interface PostedFrame {
  readonly data: Uint8Array;
  readonly isBinary: boolean;
}

const encoder = new TextEncoder();
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Why a POST body cannot be delivered frame by frame. */
export class BadBatchError extends Error {
  override readonly name = 'BadBatchError';
}

/**
 * The frames of a POST body. A line starting with `[` (V2) or `{` (V1) is a text frame, anything
 * else base64 of a binary frame. Phoenix treats only `[` as text; `{` is accepted too so that a V1
 * client batching its frames is not mistaken for binary. Empty lines (a trailing newline) are skipped.
 */
export function framesOfBody(body: string, contentType: string | undefined): PostedFrame[] {
  const ndjson = contentType?.split(';')[0]?.trim().toLowerCase() === 'application/x-ndjson';
  if (!ndjson) return body === '' ? [] : [{ data: encoder.encode(body), isBinary: false }];
  const frames: PostedFrame[] = [];
  for (const line of body.split(/\r?\n/, MAX_LONGPOLL_BATCH)) {
    if (line === '') continue;
    if (line.startsWith('[') || line.startsWith('{')) {
      frames.push({ data: encoder.encode(line), isBinary: false });
      continue;
    }
    if (line.length % 4 !== 0 || !BASE64.test(line)) throw new BadBatchError('a batch line is neither JSON nor base64');
    frames.push({ data: new Uint8Array(Buffer.from(line, 'base64')), isBinary: true });
  }
  return frames;
}

const textOnlySerializers = new WeakMap<Serializer, Serializer>();

/**
 * `serializer` restricted to text: what a LongPoll connection uses. Channels see
 * `supportsBinary: false` (so Starcatch's room sends base64 JSON, as to a V1 socket); a binary push
 * or reply is refused like on V1. Decoding is unchanged, so clients may still send binary. One
 * wrapper per serializer, so a broadcast is still encoded once per format.
 */
export function textOnly(serializer: Serializer): Serializer {
  let wrapped = textOnlySerializers.get(serializer);
  if (wrapped) return wrapped;
  wrapped = {
    vsn: serializer.vsn,
    supportsBinary: false,
    decode: (data: Uint8Array, binary: boolean): InboundMessage => serializer.decode(data, binary),
    encodeMessage(message: OutboundMessage) {
      if (isBinary(message.payload))
        throw new UnencodableMessageError('LongPoll clients cannot receive binary payloads');
      return serializer.encodeMessage(message);
    },
    encodeReply(reply: OutboundReply) {
      if (isBinary(reply.response))
        throw new UnencodableMessageError('LongPoll clients cannot receive binary payloads');
      return serializer.encodeReply(reply);
    },
  };
  textOnlySerializers.set(serializer, wrapped);
  return wrapped;
}
