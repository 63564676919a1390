import { Event } from '../constants.ts';
import type { Frame, InboundMessage, OutboundMessage, OutboundReply } from '../message.ts';
import { isBinary } from '../message.ts';
import { parseJsonFrame, refField, stringField } from './json-fields.ts';
import { MalformedFrameError, UnencodableMessageError } from './malformed-frame-error.ts';
import type { Serializer } from './serializer.ts';

/**
 * `vsn=1.0.0`, or no `vsn` at all (older and third-party clients such as GodotPhoenixChannels):
 * frames are objects. Outbound frames never carry `join_ref`: some V1 clients drop a frame whose
 * `join_ref` is null. Text only.
 */
export const v1JsonSerializer: Serializer = {
  vsn: '1.0.0',
  supportsBinary: false,

  decode(data: Uint8Array, binary: boolean): InboundMessage {
    if (binary) throw new MalformedFrameError('V1 sockets cannot send binary frames');
    const frame = parseJsonFrame(data);
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      throw new MalformedFrameError('V1 frames are objects: {topic, event, payload, ref}');
    }
    const fields = frame as Record<string, unknown>;
    for (const key of ['topic', 'event', 'payload', 'ref']) {
      if (!(key in fields)) throw new MalformedFrameError(`V1 frame is missing "${key}"`);
    }
    return {
      joinRef: refField(fields.join_ref, 'join_ref'),
      ref: refField(fields.ref, 'ref'),
      topic: stringField(fields.topic, 'topic'),
      event: stringField(fields.event, 'event'),
      payload: fields.payload,
    };
  },

  encodeMessage({ ref, topic, event, payload }: OutboundMessage): Frame {
    if (isBinary(payload)) throw new UnencodableMessageError('V1 sockets cannot receive binary payloads');
    return JSON.stringify({ topic, event, payload, ref });
  },

  encodeReply({ ref, topic, status, response }: OutboundReply): Frame {
    if (isBinary(response)) throw new UnencodableMessageError('V1 sockets cannot receive binary payloads');
    return JSON.stringify({ topic, event: Event.reply, payload: { status, response }, ref });
  },
};
