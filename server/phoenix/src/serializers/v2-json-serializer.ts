import { Event } from '../constants.ts';
import type { Frame, InboundMessage, OutboundMessage, OutboundReply } from '../message.ts';
import { isBinary } from '../message.ts';
import { decodeBinaryPush, encodeBinaryBroadcast, encodeBinaryPush, encodeBinaryReply } from './binary-frame.ts';
import { parseJsonFrame, refField, stringField } from './json-fields.ts';
import { MalformedFrameError, UnencodableMessageError } from './malformed-frame-error.ts';
import type { Serializer } from './serializer.ts';

/**
 * `vsn=2.0.0`, what phoenix.js speaks: text frames are `[join_ref, ref, topic, event, payload]`
 * arrays; binary payloads use the layouts in `binary-frame.ts`.
 */
export const v2JsonSerializer: Serializer = {
  vsn: '2.0.0',
  supportsBinary: true,

  decode(data: Uint8Array, binary: boolean): InboundMessage {
    if (binary) return decodeBinaryPush(data);
    const frame = parseJsonFrame(data);
    // Extra elements are ignored, as Phoenix does.
    if (!Array.isArray(frame) || frame.length < 5) {
      throw new MalformedFrameError('V2 frames are arrays: [join_ref, ref, topic, event, payload]');
    }
    const [joinRef, ref, topic, event, payload] = frame as unknown[];
    return {
      joinRef: refField(joinRef, 'join_ref'),
      ref: refField(ref, 'ref'),
      topic: stringField(topic, 'topic'),
      event: stringField(event, 'event'),
      payload,
    };
  },

  encodeMessage({ joinRef, ref, topic, event, payload }: OutboundMessage): Frame {
    if (!isBinary(payload)) return JSON.stringify([joinRef, ref, topic, event, payload]);
    if (ref !== null) throw new UnencodableMessageError('binary server pushes carry no ref');
    return joinRef === null
      ? encodeBinaryBroadcast(topic, event, payload)
      : encodeBinaryPush(joinRef, topic, event, payload);
  },

  encodeReply({ joinRef, ref, topic, status, response }: OutboundReply): Frame {
    if (isBinary(response)) return encodeBinaryReply(joinRef, ref, topic, status, response);
    return JSON.stringify([joinRef, ref, topic, Event.reply, { status, response }]);
  },
};
