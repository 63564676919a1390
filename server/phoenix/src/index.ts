/**
 * A Phoenix Channels server library: the wire protocol of `phoenix` 1.8 (V1 and V2 serializers,
 * binary frames, heartbeats, channels, replies, broadcasts, Presence) over WebSocket and LongPoll,
 * with no game knowledge.
 */
export { CloseCode, Reason } from './catalog.ts';
export type {
  ChannelContext,
  ChannelHandler,
  ChannelPresence,
  HandleInResult,
  JoinResult,
  Reply,
  Stop,
  TerminateReason,
} from './channel.ts';
export { error, ok, stop } from './channel.ts';
export type { Logger } from './logger.ts';
export type { ConnectInfo, ConnectResult, PhoenixSocketOptions } from './phoenix-socket.ts';
export { DEFAULT_MAX_CHANNELS, PhoenixSocket } from './phoenix-socket.ts';
export { LocalPresenceTracker } from './presence/local-presence-tracker.ts';
export type { PresenceDiff, PresenceMeta, PresenceState, PresenceTracker } from './presence/presence-tracker.ts';
export { AlreadyTrackedError } from './presence/presence-tracker.ts';
export type { DisposeOptions, RedisPresenceTrackerOptions } from './presence/redis-presence-tracker.ts';
export {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_NODE_TIMEOUT_MS,
  DEFAULT_SWEEP_INTERVAL_MS,
  PRESENCE_NODE_REMOVAL_BOUND_MS,
  RedisPresenceTracker,
} from './presence/redis-presence-tracker.ts';
export type { ClusterPubSub } from './pubsub/cluster-pubsub.ts';
export { LocalPubSub } from './pubsub/local-pubsub.ts';
export type { Broadcast, BroadcastOptions, FrameFor, PubSub, Subscriber } from './pubsub/pubsub.ts';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_RECONNECT_MAX_DELAY_MS,
  DEFAULT_RECONNECT_MIN_DELAY_MS,
} from './pubsub/redis-connection.ts';
export type { RedisPubSubOptions, RedisPubSubStats } from './pubsub/redis-pubsub.ts';
export { DEFAULT_CHANNEL_PREFIX, RedisPubSub } from './pubsub/redis-pubsub.ts';
export { negotiateSerializer } from './serializers/negotiate.ts';
export type { ConnectionLimits } from './socket-connection.ts';
export { DEFAULT_MAX_QUEUED_MESSAGES, DEFAULT_MAX_SEND_BACKLOG_BYTES } from './socket-connection.ts';
export type { LongPollBody, LongPollTransportOptions } from './transport/longpoll-transport.ts';
export {
  ABORTED_POLL_GRACE_MS,
  DEFAULT_LONGPOLL_IDLE_TIMEOUT_MS,
  DEFAULT_LONGPOLL_WINDOW_MS,
  LongPollStatus,
  longPollTransport,
} from './transport/longpoll-transport.ts';
export type { HttpRefusal, WebSocketTransportOptions } from './transport/websocket-transport.ts';
export {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_FRAME_SIZE,
  webSocketTransport,
} from './transport/websocket-transport.ts';
// The wire's names and serializers, also importable alone as `@starcatch/phoenix/wire`.
export * from './wire.ts';
