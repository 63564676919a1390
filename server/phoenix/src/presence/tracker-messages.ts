import type { PresenceMeta, PresenceState } from './presence-tracker.ts';

/**
 * What `RedisPresenceTracker`s tell each other, as JSON broadcasts on two kinds of internal topic:
 *
 * - `phx_tracker`, which every tracker subscribes to: `heartbeat`, `delta`, `goodbye`, and a
 *   `state_request` addressed to every node (at startup and after an outage);
 * - `phx_tracker:<nodeId>`, which only that node subscribes to: a `state_request` addressed to it,
 *   and the `state` transfers that answer its own requests.
 *
 * Clients cannot join these topics unless a channel route matches them; none should.
 */
export const TRACKER_TOPIC = 'phx_tracker';

export function trackerNodeTopic(nodeId: string): string {
  return `${TRACKER_TOPIC}:${nodeId}`;
}

export const TrackerEvent = {
  heartbeat: 'heartbeat',
  delta: 'delta',
  goodbye: 'goodbye',
  stateRequest: 'state_request',
  state: 'state',
} as const;

/** Who sent a message: the node, and which boot of it (its entries die with the incarnation). */
export interface Origin {
  readonly node: string;
  readonly incarnation: string;
}

/** "I am alive, and my latest delta is number `seq`." */
export interface Heartbeat extends Origin {
  readonly seq: number;
}

/** One local change, numbered: the `presence_diff` the node broadcast locally for `topic`. */
export interface Delta extends Origin {
  readonly seq: number;
  readonly topic: string;
  readonly joins: PresenceState;
  readonly leaves: PresenceState;
}

/** "Send your full state to `node`" (the requester). */
export interface StateRequest {
  readonly node: string;
}

/** A node's full state, current as of its delta `seq`. */
export interface StateTransfer extends Origin {
  readonly seq: number;
  readonly topics: Record<string, PresenceState>;
}

/** The node is shutting down: drop its entries now rather than at its timeout. */
export type Goodbye = Origin;

// Messages come from other processes, possibly of another version: check before trusting them.

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isSeq = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function isMeta(value: unknown): value is PresenceMeta {
  return isObject(value) && isString(value.phx_ref);
}

function isPresenceState(value: unknown): value is PresenceState {
  if (!isObject(value)) return false;
  return Object.values(value).every(
    (entry) => isObject(entry) && Array.isArray(entry.metas) && entry.metas.every(isMeta),
  );
}

function isTopicStates(value: unknown): value is Record<string, PresenceState> {
  return isObject(value) && Object.values(value).every(isPresenceState);
}

function isOrigin(value: unknown): value is Origin & Fields {
  return isObject(value) && isString(value.node) && isString(value.incarnation);
}

export function parseHeartbeat(value: unknown): Heartbeat | undefined {
  if (!isOrigin(value) || !isSeq(value.seq)) return undefined;
  return { node: value.node, incarnation: value.incarnation, seq: value.seq };
}

export function parseDelta(value: unknown): Delta | undefined {
  if (!isOrigin(value) || !isSeq(value.seq) || !isString(value.topic)) return undefined;
  const { node, incarnation, seq, topic, joins, leaves } = value;
  return isPresenceState(joins) && isPresenceState(leaves)
    ? { node, incarnation, seq, topic, joins, leaves }
    : undefined;
}

export function parseStateRequest(value: unknown): StateRequest | undefined {
  return isObject(value) && isString(value.node) ? { node: value.node } : undefined;
}

export function parseStateTransfer(value: unknown): StateTransfer | undefined {
  if (!isOrigin(value) || !isSeq(value.seq) || !isTopicStates(value.topics)) return undefined;
  return { node: value.node, incarnation: value.incarnation, seq: value.seq, topics: value.topics };
}

export function parseGoodbye(value: unknown): Goodbye | undefined {
  return isOrigin(value) ? { node: value.node, incarnation: value.incarnation } : undefined;
}
