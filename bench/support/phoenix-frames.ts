/**
 * The Phoenix V2 wire as the bench's bare clients and its raw baseline server write it: JSON text
 * frames `[join_ref, ref, topic, event, payload]`, a client's binary push, a server's binary push
 * or broadcast, the socket URL and the `authToken` subprotocol. Every name and layout comes from
 * the server's Phoenix library, so the bench cannot drift from it; only the library's constants
 * and frame layouts are loaded, none of its server code (load workers and bots stay light).
 */
import {
  AUTH_TOKEN_PREFIX,
  BinaryKind,
  Event,
  PHOENIX_SUBPROTOCOL,
  SOCKET_TOPIC,
  TransportPath,
  v2JsonSerializer,
} from '@starcatch/phoenix/wire';

export { Event, SOCKET_TOPIC };

/** A V2 JSON text frame. */
export type V2Frame = [joinRef: string | null, ref: string | null, topic: string, event: string, payload: unknown];

/** The payload of a `phx_reply`. */
export interface Reply {
  readonly status: string;
  readonly response: unknown;
}

/** The WebSocket transport's URL below a socket endpoint (`ws://…/socket`, what phoenix.js is given). */
export const webSocketUrl = (endpoint: string): string => `${endpoint}${TransportPath.websocket}`;

/** A WebSocket transport URL with `vsn=2.0.0` and `params` as its query. */
export const withV2Query = (url: string, params: Readonly<Record<string, string>> = {}): string =>
  `${url}?${new URLSearchParams({ vsn: v2JsonSerializer.vsn, ...params })}`;

/** The subprotocols phoenix.js offers with `authToken`: the token in standard base64 without padding. */
export const authTokenProtocols = (token: string): string[] => [
  PHOENIX_SUBPROTOCOL,
  `${AUTH_TOKEN_PREFIX}${Buffer.from(token).toString('base64').replace(/=+$/, '')}`,
];

export const encodeFrame = (
  joinRef: string | null,
  ref: string | null,
  topic: string,
  event: string,
  payload: unknown,
): string => JSON.stringify([joinRef, ref, topic, event, payload]);

/** Parses a text frame; throws on text that is not JSON (the caller knows its peer). */
export const decodeFrame = (text: string): V2Frame => JSON.parse(text) as V2Frame;

/** A join: its ref is its join_ref. */
export const joinFrame = (ref: string, topic: string, payload: object = {}): string =>
  encodeFrame(ref, ref, topic, Event.join, payload);

export const heartbeatFrame = (ref: string): string => encodeFrame(null, ref, SOCKET_TOPIC, Event.heartbeat, {});

/** A server's reply to the frame with these refs. */
export const replyFrame = (joinRef: string | null, ref: string | null, topic: string, reply: Reply): string =>
  encodeFrame(joinRef, ref, topic, Event.reply, reply);

export const isReply = (frame: V2Frame): boolean => frame[3] === Event.reply;

/** The status of a reply frame's payload (undefined when it has none). */
export const replyStatus = (frame: V2Frame): string | undefined => (frame[4] as Partial<Reply> | null)?.status;

/**
 * A client's binary push with no ref (nothing is replied to it):
 * `0, len(join_ref), len(ref) = 0, len(topic), len(event), join_ref, topic, event, payload`.
 */
export function encodeBinaryPush(joinRef: string, topic: string, event: string, payload: Uint8Array): Buffer {
  const joinRefBytes = Buffer.from(joinRef);
  const topicBytes = Buffer.from(topic);
  const eventBytes = Buffer.from(event);
  const header = Buffer.from([BinaryKind.push, joinRefBytes.length, 0, topicBytes.length, eventBytes.length]);
  return Buffer.concat([header, joinRefBytes, topicBytes, eventBytes, payload]);
}

/** A server's binary push or broadcast, split; undefined for a binary reply. */
export interface BinaryMessage {
  readonly topic: string;
  readonly event: string;
  readonly payload: Buffer;
}

/** Push `0, len(join_ref), len(topic), len(event), …` or broadcast `2, len(topic), len(event), …`. */
export function decodeServerBinary(frame: Buffer): BinaryMessage | undefined {
  let at: number;
  let topicLength: number;
  let eventLength: number;
  if (frame[0] === BinaryKind.push) {
    at = 4 + (frame[1] ?? 0);
    topicLength = frame[2] ?? 0;
    eventLength = frame[3] ?? 0;
  } else if (frame[0] === BinaryKind.broadcast) {
    at = 3;
    topicLength = frame[1] ?? 0;
    eventLength = frame[2] ?? 0;
  } else {
    return undefined;
  }
  return {
    topic: frame.toString('utf8', at, at + topicLength),
    event: frame.toString('utf8', at + topicLength, at + topicLength + eventLength),
    payload: frame.subarray(at + topicLength + eventLength),
  };
}
