import type { JsonPayload, Payload, ReplyStatus } from './message.ts';
import type { PresenceState } from './presence/presence-tracker.ts';

/** A reply to a join or a push: `{"status": …, "response": …}` on the wire. */
export interface Reply {
  readonly status: ReplyStatus;
  readonly response: Payload;
}

/** `{:stop, …}`: close the channel with `phx_close`, after sending the reply if there is one. */
export interface Stop {
  readonly stop: true;
  readonly reply?: Reply;
}

export const ok = (response: Payload = {}): Reply => ({ status: 'ok', response });
export const error = (response: JsonPayload): Reply => ({ status: 'error', response });
export const stop = (reply?: Reply): Stop => (reply ? { stop: true, reply } : { stop: true });

/** A join either succeeds (`ok`, optionally with a reply map) or is refused (`error`). */
export type JoinResult = Reply;
/** `undefined` means no reply: the client's push times out, as with Phoenix's `:noreply`. */
export type HandleInResult = Reply | Stop | undefined;

/** Why a channel ended; passed to `terminate`. */
export type TerminateReason =
  | 'leave' // the client sent phx_leave
  | 'stop' // the channel asked to stop
  | 'duplicate_join' // the same socket joined the topic again
  | 'crash' // a handler threw
  | 'closed' // the socket went away
  | 'kicked'; // the socket was disconnected by id

/** The presence of this channel's topic, with this channel as the owner of what it tracks. */
export interface ChannelPresence {
  track(key: string, meta: object): string;
  update(key: string, meta: object): string;
  untrack(key: string): void;
  list(): PresenceState;
}

/** What a channel handler can do with the channel it serves. */
export interface ChannelContext<Assigns extends object> {
  readonly topic: string;
  readonly joinRef: string;
  /** The socket this channel belongs to; unique per connection, so it tells one user's tabs apart. */
  readonly connectionId: string;
  /** A copy of the socket's assigns for this channel; handlers may add their own fields. */
  readonly assigns: Assigns;
  /**
   * Bytes already written to this channel's socket that the client has not taken yet (shared by
   * every channel of the socket). `push` never blocks; a handler streaming data a slow client
   * cannot keep up with should skip what is stale rather than queue it without bound.
   */
  readonly sendBacklog: number;
  /** Whether this socket's serializer can carry binary payloads (V2 yes, V1 no). */
  readonly supportsBinary: boolean;
  /** True once the channel has been closed for any reason; pushes are then ignored. */
  readonly closed: boolean;
  /** Sends `[join_ref, null, topic, event, payload]` to this client only. */
  push(event: string, payload: Payload): void;
  /** Sends to every subscriber of the topic, including this client. */
  broadcast(event: string, payload: Payload): void;
  /** Sends to every subscriber of the topic except this client. */
  broadcastFrom(event: string, payload: Payload): void;
  readonly presence: ChannelPresence;
  /** Closes the channel from the server side: the client gets `phx_close` and does not rejoin. */
  stop(): void;
}

/**
 * A channel module, in the spirit of a Phoenix channel: `join` decides, the other callbacks run
 * one at a time per joined channel (like messages to a channel process), in arrival order.
 */
export interface ChannelHandler<Assigns extends object> {
  join(topic: string, params: unknown, channel: ChannelContext<Assigns>): JoinResult | Promise<JoinResult>;
  /**
   * Runs after the join reply has been written: the place to track presence and push state.
   * Broadcasts reach this client only once it returns, so its pushes come first.
   */
  afterJoin?(channel: ChannelContext<Assigns>): void | Promise<void>;
  handleIn?(
    event: string,
    payload: unknown,
    channel: ChannelContext<Assigns>,
  ): HandleInResult | Promise<HandleInResult>;
  /** Broadcast events this channel rewrites per subscriber in `handleOut` instead of the fastlane. */
  readonly intercept?: readonly string[];
  handleOut?(event: string, payload: Payload, channel: ChannelContext<Assigns>): void;
  terminate?(reason: TerminateReason, channel: ChannelContext<Assigns>): void | Promise<void>;
}
