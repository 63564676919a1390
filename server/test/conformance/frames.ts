/**
 * Builders for the raw frames of docs/protocol.md §3, so a test reads like the guide:
 * `ws.send(join('1', 'room:1'))`, `expect(await ws.nextJson()).toEqual(ok('1', '1', 'room:1'))`.
 * V2 frames are `[join_ref, ref, topic, event, payload]`; V1 frames are objects without `join_ref`.
 */

type Ref = string | null;

// Client → server (V2)

export const join = (joinRef: string, topic: string, params: object = {}) => [
  joinRef,
  joinRef,
  topic,
  'phx_join',
  params,
];
export const push = (joinRef: Ref, ref: string, topic: string, event: string, payload: object = {}) => [
  joinRef,
  ref,
  topic,
  event,
  payload,
];
export const leave = (joinRef: Ref, ref: string, topic: string) => [joinRef, ref, topic, 'phx_leave', {}];
export const heartbeat = (ref: string, joinRef: Ref = null) => [joinRef, ref, 'phoenix', 'heartbeat', {}];

// Server → client (V2)

export const reply = (joinRef: Ref, ref: string, topic: string, status: string, response: object = {}) => [
  joinRef,
  ref,
  topic,
  'phx_reply',
  { status, response },
];
export const ok = (joinRef: Ref, ref: string, topic: string, response: object = {}) =>
  reply(joinRef, ref, topic, 'ok', response);
export const unmatchedTopic = (ref: string, topic: string) =>
  reply(null, ref, topic, 'error', { reason: 'unmatched topic' });
export const heartbeatReply = (ref: string) => ok(null, ref, 'phoenix');
export const serverPush = (joinRef: string, topic: string, event: string, payload: object) => [
  joinRef,
  null,
  topic,
  event,
  payload,
];
export const broadcast = (topic: string, event: string, payload: object) => [null, null, topic, event, payload];
export const phxClose = (joinRef: string, topic: string) => [joinRef, joinRef, topic, 'phx_close', {}];
export const phxError = (joinRef: string, topic: string) => [
  joinRef,
  joinRef,
  topic,
  'phx_error',
  { reason: 'channel_crash' },
];

export const presenceState = (joinRef: string, topic: string, state: object) =>
  serverPush(joinRef, topic, 'presence_state', state);
export const presenceDiff = (topic: string, joins: object, leaves: object) =>
  broadcast(topic, 'presence_diff', { joins, leaves });

// V1 object frames (no vsn, or vsn=1.0.0)

export const v1 = (topic: string, event: string, payload: object, ref: Ref, joinRef?: Ref) =>
  joinRef === undefined ? { topic, event, payload, ref } : { topic, event, payload, ref, join_ref: joinRef };
export const v1Reply = (ref: string, topic: string, status: string, response: object = {}) =>
  v1(topic, 'phx_reply', { status, response }, ref);

// Binary frames

/** Bytes from spaced hex, as the examples of docs/protocol.md §7 are written: `hex('02 06 03 72 …')`. */
export const hex = (spaced: string): Buffer => Buffer.from(spaced.replace(/\s+/g, ''), 'hex');
