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
  #open = true;

  constructor(
    services: SocketServices<Assigns>,
    serializer: Serializer,
    transport: Transport,
    assigns: Assigns,
    socketId: string | null,
  ) {
    this.id = services.newId();
    this.#services = services;
    this.serializer = serializer;
    this.#transport = transport;
    this.assigns = assigns;
    this.socketId = socketId;
    this.#inbox = new Mailbox((error) => {
      this.logger.error({ err: error, connection: this.id }, 'socket message handling failed');
      this.close(CloseCode.internalError, 'internal error');
    });
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
    this.#inbox.post(() => this.#dispatch(message));
  }

  send(frame: Frame): void {
    if (!this.#open) return;
    this.#services.traffic.framesOut++;
    this.#transport.send(frame);
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

  async #dispatch(message: InboundMessage): Promise<void> {
    if (!this.#open) return;
    const { topic, event, joinRef, ref } = message;
    if (topic === SOCKET_TOPIC && event === Event.heartbeat) {
      if (ref !== null) this.#reply(null, ref, topic, { status: 'ok', response: {} });
      return;
    }
    if (event === Event.join) {
      await this.#join(message);
      return;
    }
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

  #refuseRefless(topic: string): void {
    this.logger.warn({ connection: this.id, topic }, 'phx_join without a ref; ignored (nothing to reply to)');
  }

  #reply(joinRef: string | null, ref: string, topic: string, reply: Reply): void {
    this.send(this.serializer.encodeReply({ joinRef, ref, topic, ...reply }));
  }
}
