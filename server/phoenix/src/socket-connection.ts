import { CloseCode, Reason } from './catalog.ts';
import type { ChannelHandler, Reply } from './channel.ts';
import { Event, SOCKET_TOPIC } from './constants.ts';
import type { ChannelHost } from './joined-channel.ts';
import { JoinedChannel } from './joined-channel.ts';
import type { Logger } from './logger.ts';
import { Mailbox } from './mailbox.ts';
import type { Frame, InboundMessage } from './message.ts';
import type { PresenceTracker } from './presence/presence-tracker.ts';
import type { PubSub } from './pubsub/pubsub.ts';
import { MalformedFrameError } from './serializers/malformed-frame-error.ts';
import type { Serializer } from './serializers/serializer.ts';
import type { TopicRouter } from './topic-router.ts';

/** Where a connection writes frames: a WebSocket in production, a recorder in channel tests. */
export interface Transport {
  send(frame: Frame): void;
  close(code: number, reason: string): void;
  /** Bytes given to `send` that have not reached the network yet (the WebSocket's `bufferedAmount`). */
  readonly bufferedAmount: number;
}

/** Limits of one connection, set by the transport that opens it (defaults: `DEFAULT_CONNECTION_LIMITS`). */
export interface ConnectionLimits {
  /**
   * Unsent bytes (`Transport.bufferedAmount`) past which the connection is closed with
   * `CloseCode.sendBacklog` (1013): a client that does not read must not make the server hold
   * everything sent to it.
   */
  readonly maxSendBacklogBytes: number;
  /**
   * Messages waiting or being handled, counted per socket and per joined channel, past which a
   * further push is answered `message queue full` instead of queued.
   */
  readonly maxQueuedMessages: number;
}

/** 4 MiB: far above what a healthy client lets pile up (game snapshots stop at 4 KiB), far below what hurts. */
export const DEFAULT_MAX_SEND_BACKLOG_BYTES = 4 * 1024 * 1024;
/** A client has a few pushes in flight; 100 waiting means it is sending faster than it is answered. */
export const DEFAULT_MAX_QUEUED_MESSAGES = 100;
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxSendBacklogBytes: DEFAULT_MAX_SEND_BACKLOG_BYTES,
  maxQueuedMessages: DEFAULT_MAX_QUEUED_MESSAGES,
};

/** The socket-wide pieces a connection shares with every other connection. */
export interface SocketServices<Assigns extends object> {
  readonly router: TopicRouter<ChannelHandler<Assigns>>;
  readonly pubsub: PubSub;
  readonly presence: PresenceTracker;
  readonly logger: Logger;
  readonly maxChannels: number;
  /** Frame counters shared by every connection of the socket. */
  readonly traffic: SocketTraffic;
  newId(): string;
  /** Called once when the connection ends, whatever the cause. */
  release(connection: SocketConnection<Assigns>): void;
}

/** Frames through every connection of a socket since it was created, for metrics. */
export interface SocketTraffic {
  framesIn: number;
  framesOut: number;
}

/**
 * One client socket: decodes frames, answers heartbeats, routes joins, pushes and leaves to its
 * joined channels. Frames are handled in arrival order; a join holds later frames of the same
 * socket until its reply is written, as Phoenix does.
 */
export class SocketConnection<Assigns extends object> implements ChannelHost {
  readonly id: string;
  /** The id given by the socket's `id` callback, used to kick every connection of a user. */
  readonly socketId: string | null;
  readonly serializer: Serializer;
  readonly assigns: Assigns;
  readonly #services: SocketServices<Assigns>;
  readonly #transport: Transport;
  readonly #channels = new Map<string, JoinedChannel<Assigns>>();
  readonly #inbox: Mailbox;
  readonly #limits: ConnectionLimits;
  #open = true;

  constructor(
    services: SocketServices<Assigns>,
    serializer: Serializer,
    transport: Transport,
    assigns: Assigns,
    socketId: string | null,
    limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS,
  ) {
    this.id = services.newId();
    this.#services = services;
    this.#limits = limits;
    this.serializer = serializer;
    this.#transport = transport;
    this.assigns = assigns;
    this.socketId = socketId;
    this.#inbox = new Mailbox((error) => this.#dispatchFailed(error));
  }

  get pubsub(): PubSub {
    return this.#services.pubsub;
  }

  get presence(): PresenceTracker {
    return this.#services.presence;
  }

  get logger(): Logger {
    return this.#services.logger;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Bytes written to this socket that the client has not taken yet. */
  get sendBacklog(): number {
    return this.#transport.bufferedAmount;
  }

  /** Messages a joined channel of this connection may hold waiting or running. */
  get maxQueuedMessages(): number {
    return this.#limits.maxQueuedMessages;
  }

  /** How many channels this connection has joined. */
  get channelCount(): number {
    return this.#channels.size;
  }

  /** Topics this connection has joined. */
  get topics(): string[] {
    return [...this.#channels.keys()];
  }

  /** One inbound WebSocket frame. A frame that is not a Phoenix message closes the socket (1007). */
  receive(data: Uint8Array, isBinary: boolean): void {
    if (!this.#open) return;
    this.#services.traffic.framesIn++;
    let message: InboundMessage;
    try {
      message = this.serializer.decode(data, isBinary);
    } catch (error) {
      if (!(error instanceof MalformedFrameError)) throw error;
      this.logger.warn({ connection: this.id, reason: error.message }, 'malformed frame; closing socket');
      this.close(CloseCode.malformedFrame, error.message);
      return;
    }
    // Nothing waiting (no join in progress): handle it now, which keeps a burst of pushes from
    // piling up in the socket's queue. A join, or anything behind one, takes its turn in the queue.
    if (this.#inbox.depth === 0 && message.event !== Event.join) {
      try {
        this.#dispatch(message);
      } catch (error) {
        this.#dispatchFailed(error);
      }
      return;
    }
    if (!this.#inbox.tryPost(() => this.#dispatch(message), this.#limits.maxQueuedMessages)) this.#refuse(message);
  }

  send(frame: Frame): void {
    if (!this.#open) return;
    this.#services.traffic.framesOut++;
    this.#transport.send(frame);
    const backlog = this.#transport.bufferedAmount;
    if (backlog > this.#limits.maxSendBacklogBytes) {
      // The close frame queues behind the backlog; the transport drops a client that never takes it.
      this.logger.warn(
        { connection: this.id, backlog, limit: this.#limits.maxSendBacklogBytes },
        'client not reading: send backlog over the limit; closing socket',
      );
      this.close(CloseCode.sendBacklog, 'send backlog over the limit');
    }
  }

  forget(channel: JoinedChannel<object>): void {
    if (this.#channels.get(channel.topic) === channel) this.#channels.delete(channel.topic);
  }

  /** Server-side close: tells the transport, then ends every channel. */
  close(code: number, reason: string, terminateReason: 'closed' | 'kicked' = 'closed'): void {
    if (!this.#open) return;
    this.#transport.close(code, reason);
    this.transportClosed(terminateReason);
  }

  /** The transport is gone (either side closed it): end every channel silently. */
  transportClosed(reason: 'closed' | 'kicked' = 'closed'): void {
    if (!this.#open) return;
    this.#open = false;
    const channels = [...this.#channels.values()];
    this.#channels.clear();
    for (const channel of channels) void channel.shutdown(reason);
    this.#services.release(this);
  }

  #dispatchFailed(error: unknown): void {
    this.logger.error({ err: error, connection: this.id }, 'socket message handling failed');
    this.close(CloseCode.internalError, 'internal error');
  }

  /** Routes one message; only a join returns a promise (later frames wait for it). */
  #dispatch(message: InboundMessage): Promise<void> | undefined {
    if (!this.#open) return;
    const { topic, event, joinRef, ref } = message;
    if (topic === SOCKET_TOPIC && event === Event.heartbeat) {
      if (ref !== null) this.#reply(null, ref, topic, { status: 'ok', response: {} });
      return;
    }
    if (event === Event.join) return this.#join(message);
    const channel = this.#channels.get(topic);
    if (!channel) {
      if (ref === null) return;
      // Leaving a topic that is not joined is fine; anything else is an unmatched topic.
      if (event === Event.leave) this.#reply(joinRef, ref, topic, { status: 'ok', response: {} });
      else this.#reply(null, ref, topic, { status: 'error', response: { reason: Reason.unmatchedTopic } });
      return;
    }
    // A message for an earlier join of this topic: the client raced a close. Phoenix ignores it.
    if (joinRef !== null && joinRef !== channel.joinRef) {
      this.logger.debug({ connection: this.id, topic, event, joinRef }, 'stale join_ref; message ignored');
      return;
    }
    if (event === Event.leave) {
      this.#channels.delete(topic);
      channel.leave(ref);
      return;
    }
    channel.handleIn(event, message.payload, ref);
  }

  async #join({ topic, joinRef, ref, payload }: InboundMessage): Promise<void> {
    const newJoinRef = joinRef ?? ref;
    if (newJoinRef === null || ref === null) return this.#refuseRefless(topic);
    const handler = this.#services.router.match(topic);
    if (!handler) {
      this.#reply(null, ref, topic, { status: 'error', response: { reason: Reason.unmatchedTopic } });
      return;
    }
    const previous = this.#channels.get(topic);
    if (previous) {
      // Duplicate join: the old channel goes first; its phx_close follows the new reply.
      this.#channels.delete(topic);
      await previous.shutdown('duplicate_join');
    } else if (this.#channels.size >= this.#services.maxChannels) {
      this.#reply(newJoinRef, ref, topic, { status: 'error', response: { reason: Reason.tooManyChannels } });
      return;
    }
    const channel = new JoinedChannel(this.#services.newId(), topic, newJoinRef, handler, this.assigns, this);
    let result: Reply;
    try {
      result = await channel.join(payload);
    } catch (error) {
      this.logger.error({ err: error, connection: this.id, topic }, 'join crashed');
      result = { status: 'error', response: { reason: Reason.joinCrashed } };
    }
    const joined = result.status === 'ok';
    if (!this.#open) {
      // The socket closed while `join` ran: a successful join still gets its `terminate`.
      if (joined) await channel.shutdown('closed');
      else channel.abandon();
      return;
    }
    if (joined) this.#channels.set(topic, channel);
    else channel.abandon();
    this.#reply(newJoinRef, ref, topic, result);
    if (joined) channel.activate();
    previous?.sendClose();
  }

  /**
   * The socket's queue is full (frames wait behind a slow join): answer at once, out of turn,
   * rather than hold one more frame. A frame without a ref has nobody to tell and is dropped.
   */
  #refuse({ joinRef, ref, topic, event }: InboundMessage): void {
    this.logger.debug({ connection: this.id, topic, event }, 'socket message queue full; message refused');
    if (ref !== null) this.#reply(joinRef, ref, topic, { status: 'error', response: { reason: Reason.queueFull } });
  }

  #refuseRefless(topic: string): void {
    this.logger.warn({ connection: this.id, topic }, 'phx_join without a ref; ignored (nothing to reply to)');
  }

  #reply(joinRef: string | null, ref: string, topic: string, reply: Reply): void {
    this.send(this.serializer.encodeReply({ joinRef, ref, topic, ...reply }));
  }
}
