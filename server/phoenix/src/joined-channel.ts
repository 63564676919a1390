import { Reason } from './catalog.ts';
import type {
  ChannelContext,
  ChannelHandler,
  ChannelPresence,
  HandleInResult,
  Reply,
  TerminateReason,
} from './channel.ts';
import { Event } from './constants.ts';
import type { Logger } from './logger.ts';
import { Mailbox } from './mailbox.ts';
import type { Frame, Payload } from './message.ts';
import type { PresenceTracker } from './presence/presence-tracker.ts';
import type { Broadcast, FrameFor, PubSub, Subscriber } from './pubsub/pubsub.ts';
import type { Serializer } from './serializers/serializer.ts';

/** What a channel needs from the socket connection that owns it. */
export interface ChannelHost {
  /** The connection's id: tells apart the sockets (tabs) of one user. */
  readonly id: string;
  readonly serializer: Serializer;
  readonly pubsub: PubSub;
  readonly presence: PresenceTracker;
  readonly logger: Logger;
  send(frame: Frame): void;
  /** Bytes written to the socket that the client has not taken yet. */
  readonly sendBacklog: number;
  /** Pushes this channel may hold waiting or running; more are answered `message queue full`. */
  readonly maxQueuedMessages: number;
  /** Unregisters the channel if it is still the one joined on its topic. */
  forget(channel: JoinedChannel<object>): void;
}

type Phase = 'joining' | 'joined' | 'closing' | 'closed';

/** Shared by every channel whose handler intercepts nothing, so idle channels carry no Set of their own. */
const NO_INTERCEPTS: ReadonlySet<string> = new Set();
/** What a channel holds for pushes once joined (it sends them at once): one frozen array for all. */
const NO_PENDING_PUSHES: Frame[] = Object.freeze([]) as unknown as Frame[];

/**
 * One joined topic on one socket: the state Phoenix keeps in a channel process. It is the
 * `ChannelContext` its handler sees and the PubSub subscriber for its topic.
 */
export class JoinedChannel<Assigns extends object> implements ChannelContext<Assigns>, Subscriber {
  readonly id: string;
  readonly topic: string;
  readonly joinRef: string;
  readonly assigns: Assigns;
  readonly #handler: ChannelHandler<Assigns>;
  readonly #host: ChannelHost;
  readonly #intercepts: ReadonlySet<string>;
  /** Made on first use: an idle channel (most of them) has nothing to queue. */
  #mailboxOrNone: Mailbox | undefined;
  #phase: Phase = 'joining';
  #presence: ChannelPresence | undefined;
  /** Pushes made while joining wait here: the join reply must reach the wire first. */
  #pendingPushes: Frame[] = [];
  /**
   * Broadcasts delivered while `afterJoin` runs wait here, so the `presence_state` it pushes comes
   * before any `presence_diff` (even the diff of its own `track`): V1 clients need that order
   * (docs/protocol.md §6.2, conformance case 43).
   */
  #heldBroadcasts: Frame[] | null = null;

  constructor(
    id: string,
    topic: string,
    joinRef: string,
    handler: ChannelHandler<Assigns>,
    assigns: Assigns,
    host: ChannelHost,
  ) {
    this.id = id;
    this.topic = topic;
    this.joinRef = joinRef;
    this.#handler = handler;
    this.assigns = { ...assigns };
    this.#host = host;
    this.#intercepts = handler.intercept?.length ? new Set(handler.intercept) : NO_INTERCEPTS;
  }

  /**
   * Built on first use: most channels (every `user:<id>`) never touch presence, and the five
   * objects it takes are a measurable share of an idle connection (bench/connections).
   */
  get presence(): ChannelPresence {
    if (this.#presence) return this.#presence;
    const { id, topic } = this;
    const tracker = this.#host.presence;
    this.#presence = {
      track: (key, meta) => tracker.track(id, topic, key, meta),
      update: (key, meta) => tracker.update(id, topic, key, meta),
      untrack: (key) => tracker.untrack(id, topic, key),
      list: () => tracker.list(topic),
    };
    return this.#presence;
  }

  get #mailbox(): Mailbox {
    this.#mailboxOrNone ??= new Mailbox((error) => this.#crash(error));
    return this.#mailboxOrNone;
  }

  get connectionId(): string {
    return this.#host.id;
  }

  get sendBacklog(): number {
    return this.#host.sendBacklog;
  }

  get supportsBinary(): boolean {
    return this.#host.serializer.supportsBinary;
  }

  get closed(): boolean {
    return this.#phase === 'closed';
  }

  /** Runs the handler's `join`. Throws what it throws; the connection turns that into "join crashed". */
  async join(params: unknown): Promise<Reply> {
    return this.#handler.join(this.topic, params, this);
  }

  /** Called right after the ok reply is written: subscribe, flush early pushes, run `afterJoin`. */
  activate(): void {
    this.#phase = 'joined';
    this.#host.pubsub.subscribe(this.topic, this);
    const pending = this.#pendingPushes;
    this.#pendingPushes = NO_PENDING_PUSHES;
    for (const frame of pending) this.#host.send(frame);
    const afterJoin = this.#handler.afterJoin;
    if (!afterJoin) return;
    this.#heldBroadcasts = [];
    this.#mailbox.post(async () => {
      await this.#whileJoined(() => afterJoin.call(this.#handler, this));
      this.#releaseBroadcasts();
    });
  }

  /** A refused or crashed join: undo whatever `join` set up. */
  abandon(): void {
    this.#phase = 'closed';
    this.#pendingPushes = NO_PENDING_PUSHES;
    this.#host.presence.untrackAll(this.id);
  }

  /**
   * A client push, handled after every earlier message of this channel; answered `message queue
   * full` at once when the channel already holds `maxQueuedMessages` (its handler is slower than
   * the client sends).
   */
  handleIn(event: string, payload: unknown, ref: string | null): void {
    // A synchronous handler with nothing queued before it answers at once: only handlers that
    // wait (storage) make pushes queue, and only they can fill the queue.
    const queued = this.#mailbox.tryRun(() => {
      if (this.#phase !== 'joined') return;
      const handleIn = this.#handler.handleIn;
      if (!handleIn) throw new Error(`channel for "${this.topic}" has no handleIn for "${event}"`);
      const result = handleIn.call(this.#handler, event, payload, this);
      if (!(result instanceof Promise)) return this.#settle(result, ref);
      return result.then((settled) => this.#settle(settled, ref));
    }, this.#host.maxQueuedMessages);
    if (queued) return;
    this.#host.logger.debug({ topic: this.topic, event }, 'channel message queue full; push refused');
    if (ref !== null) this.#sendReply(ref, { status: 'error', response: { reason: Reason.queueFull } });
  }

  /** phx_leave: reply ok, then phx_close, then terminate. */
  leave(ref: string | null): void {
    this.#mailbox.post(async () => {
      if (this.#phase !== 'joined') return;
      if (ref !== null) this.#sendReply(ref, { status: 'ok', response: {} });
      this.#sendLifecycle(Event.close, {});
      await this.shutdown('leave');
    });
  }

  /**
   * Ends the channel: unsubscribes, untracks presence, unregisters and runs `terminate`. Pushes made
   * in `terminate` still go out while the socket is open. Sends no lifecycle frame: callers do.
   */
  async shutdown(reason: TerminateReason): Promise<void> {
    if (this.#phase === 'closing' || this.#phase === 'closed') return;
    this.#phase = 'closing';
    this.#heldBroadcasts = null;
    this.#host.pubsub.unsubscribe(this.topic, this);
    this.#host.presence.untrackAll(this.id);
    this.#host.forget(this);
    try {
      await this.#handler.terminate?.(reason, this);
    } catch (error) {
      this.#host.logger.error({ err: error, topic: this.topic, reason }, 'channel terminate threw');
    } finally {
      this.#phase = 'closed';
    }
  }

  /** Sends the `phx_close` for this join (duplicate join, server stop). */
  sendClose(): void {
    this.#sendLifecycle(Event.close, {});
  }

  // ChannelContext

  push(event: string, payload: Payload): void {
    if (this.#phase === 'closed') return;
    const frame = this.#encode(event, payload);
    if (frame === undefined) return;
    if (this.#phase === 'joining') this.#pendingPushes.push(frame);
    else this.#host.send(frame);
  }

  broadcast(event: string, payload: Payload): void {
    this.#host.pubsub.broadcast(this.topic, event, payload);
  }

  broadcastFrom(event: string, payload: Payload): void {
    this.#host.pubsub.broadcast(this.topic, event, payload, { exceptId: this.id });
  }

  stop(): void {
    this.#mailbox.post(() => this.#stop());
  }

  // Subscriber

  deliver(broadcast: Broadcast, frameFor: FrameFor): void {
    if (this.#phase !== 'joined') return;
    if (this.#intercepts.has(broadcast.event)) {
      this.#mailbox.post(() =>
        this.#whileJoined(() => this.#handler.handleOut?.(broadcast.event, broadcast.payload, this)),
      );
      return;
    }
    const frame = frameFor(this.#host.serializer);
    if (this.#heldBroadcasts) this.#heldBroadcasts.push(frame);
    else this.#host.send(frame);
  }

  // internals

  async #whileJoined(task: () => unknown): Promise<void> {
    if (this.#phase === 'joined') await task();
  }

  #releaseBroadcasts(): void {
    const held = this.#heldBroadcasts ?? [];
    this.#heldBroadcasts = null;
    if (this.#phase === 'joined') for (const frame of held) this.#host.send(frame);
  }

  #settle(result: HandleInResult, ref: string | null): void {
    if (result === undefined) return;
    if ('stop' in result) {
      if (result.reply && ref !== null) this.#sendReply(ref, result.reply);
      void this.#stop();
      return;
    }
    if (ref !== null) this.#sendReply(ref, result);
  }

  async #stop(): Promise<void> {
    if (this.#phase !== 'joined') return;
    this.#sendLifecycle(Event.close, {});
    await this.shutdown('stop');
  }

  async #crash(error: unknown): Promise<void> {
    this.#host.logger.error({ err: error, topic: this.topic }, 'channel crashed');
    if (this.#phase !== 'joined') return;
    this.#sendLifecycle(Event.error, { reason: Reason.channelCrash });
    await this.shutdown('crash');
  }

  #sendReply(ref: string, reply: Reply): void {
    const { serializer } = this.#host;
    try {
      this.#host.send(serializer.encodeReply({ joinRef: this.joinRef, ref, topic: this.topic, ...reply }));
    } catch (error) {
      this.#host.logger.error({ err: error, topic: this.topic, ref }, 'reply could not be encoded');
      this.#host.send(
        serializer.encodeReply({
          joinRef: this.joinRef,
          ref,
          topic: this.topic,
          status: 'error',
          response: { reason: Reason.replyNotEncodable },
        }),
      );
    }
  }

  /** `phx_close` / `phx_error` carry ref = join_ref: V1 clients recognise them by it. */
  #sendLifecycle(event: string, payload: Payload): void {
    this.#host.send(
      this.#host.serializer.encodeMessage({
        joinRef: this.joinRef,
        ref: this.joinRef,
        topic: this.topic,
        event,
        payload,
      }),
    );
  }

  #encode(event: string, payload: Payload): Frame | undefined {
    try {
      return this.#host.serializer.encodeMessage({
        joinRef: this.joinRef,
        ref: null,
        topic: this.topic,
        event,
        payload,
      });
    } catch (error) {
      this.#host.logger.error({ err: error, topic: this.topic, event }, 'push could not be encoded for this client');
      return undefined;
    }
  }
}
