import { CloseCode } from './catalog.ts';
import type { ChannelHandler } from './channel.ts';
import { Event, SOCKET_CONTROL_TOPIC } from './constants.ts';
import type { Logger } from './logger.ts';
import { silentLogger } from './logger.ts';
import type { Payload } from './message.ts';
import { LocalPresenceTracker } from './presence/local-presence-tracker.ts';
import type { PresenceTracker } from './presence/presence-tracker.ts';
import { LocalPubSub } from './pubsub/local-pubsub.ts';
import type { PubSub, Subscriber } from './pubsub/pubsub.ts';
import type { Serializer } from './serializers/serializer.ts';
import type { ConnectionLimits, SocketServices, SocketTraffic, Transport } from './socket-connection.ts';
import { DEFAULT_CONNECTION_LIMITS, SocketConnection } from './socket-connection.ts';
import { TopicRouter } from './topic-router.ts';

/** What the transport learned during the handshake, for `connect` to decide on. */
export interface ConnectInfo {
  /** The query string, one value per name (`nested[a]=1` stays the key `nested[a]`). */
  readonly params: Readonly<Record<string, string>>;
  /**
   * phoenix.js `authToken`: from the `base64url.bearer.phx.*` subprotocol (WebSocket), decoded, or
   * the `X-Phoenix-AuthToken` header (LongPoll).
   */
  readonly authToken: string | undefined;
  readonly origin: string | undefined;
  readonly remoteAddress: string;
  readonly vsn: string;
}

/** `connect` accepts with the socket's assigns, or refuses with an HTTP status (403 by default). */
export type ConnectResult<Assigns> =
  | { readonly ok: true; readonly assigns: Assigns }
  | { readonly ok: false; readonly status?: number };

export interface PhoenixSocketOptions<Assigns extends object> {
  /** Authenticates a connection before the upgrade. Refusing answers HTTP 403: no upgrade, no reconnect storm. */
  connect(info: ConnectInfo): ConnectResult<Assigns> | Promise<ConnectResult<Assigns>>;
  /** Names the connection (e.g. `user_socket:42`) so `disconnect(id)` can kick it. */
  id?(assigns: Assigns): string | null;
  /** Topic pattern → channel handler, first match wins (`"room:*"` matches by prefix). */
  channels: Readonly<Record<string, ChannelHandler<Assigns>>>;
  pubsub?: PubSub;
  presence?: PresenceTracker;
  /** Joins beyond this many per socket are refused with "too many channels joined". Default 100. */
  maxChannels?: number;
  logger?: Logger;
}

export const DEFAULT_MAX_CHANNELS = 100;

/**
 * A Phoenix socket definition and its live connections: the routes, the shared PubSub and
 * Presence, and the operations that act on every connection (broadcast, kick, drain). Transports
 * (the WebSocket plugin, the channel-test harness) open connections on it.
 */
export class PhoenixSocket<Assigns extends object> {
  readonly pubsub: PubSub;
  readonly presence: PresenceTracker;
  readonly logger: Logger;
  readonly #options: PhoenixSocketOptions<Assigns>;
  readonly #services: SocketServices<Assigns>;
  readonly #connections = new Set<SocketConnection<Assigns>>();
  /** Connections by socket id: one alone (nearly always), or a Set once the same id connects again. */
  readonly #byId = new Map<string, SocketConnection<Assigns> | Set<SocketConnection<Assigns>>>();
  #nextId = 0;

  /** Hears `disconnect` from the other nodes. */
  readonly #control: Subscriber = {
    id: `phx_socket_control:${Math.random().toString(36).slice(2)}`,
    deliver: ({ event, payload }) => {
      const id = (payload as { id?: unknown }).id;
      if (event === Event.disconnect && typeof id === 'string') this.disconnectLocal(id);
    },
  };

  constructor(options: PhoenixSocketOptions<Assigns>) {
    const maxChannels = options.maxChannels ?? DEFAULT_MAX_CHANNELS;
    if (!Number.isInteger(maxChannels) || maxChannels < 1)
      throw new RangeError('maxChannels must be a positive integer');
    this.#options = options;
    this.logger = options.logger ?? silentLogger;
    this.pubsub = options.pubsub ?? new LocalPubSub(this.logger);
    this.presence = options.presence ?? new LocalPresenceTracker(this.pubsub);
    // Process-unique ids; the random prefix keeps them unique across nodes for broadcastFrom.
    const prefix = Math.random().toString(36).slice(2, 8);
    this.#services = {
      router: new TopicRouter(options.channels),
      pubsub: this.pubsub,
      presence: this.presence,
      logger: this.logger,
      maxChannels,
      traffic: { framesIn: 0, framesOut: 0 },
      newId: () => `${prefix}.${(this.#nextId++).toString(36)}`,
      release: (connection) => this.#release(connection),
    };
    this.pubsub.subscribe(SOCKET_CONTROL_TOPIC, this.#control);
  }

  /** The number of open connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Channels joined over every open connection (counted when asked: a scrape, not a hot path). */
  get channelCount(): number {
    let count = 0;
    for (const connection of this.#connections) count += connection.channelCount;
    return count;
  }

  /** Frames received and sent over every connection so far. */
  get traffic(): Readonly<SocketTraffic> {
    return this.#services.traffic;
  }

  connect(info: ConnectInfo): Promise<ConnectResult<Assigns>> {
    return Promise.resolve(this.#options.connect(info));
  }

  /**
   * Opens a connection on an established transport with the assigns `connect` returned, under the
   * transport's limits (one object shared by all its connections).
   */
  open(
    serializer: Serializer,
    transport: Transport,
    assigns: Assigns,
    limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS,
  ): SocketConnection<Assigns> {
    const socketId = this.#options.id?.(assigns) ?? null;
    const connection = new SocketConnection(this.#services, serializer, transport, assigns, socketId, limits);
    this.#connections.add(connection);
    if (socketId !== null) {
      const existing = this.#byId.get(socketId);
      if (existing === undefined) this.#byId.set(socketId, connection);
      else if (existing instanceof Set) existing.add(connection);
      else this.#byId.set(socketId, new Set([existing, connection]));
    }
    return connection;
  }

  /** Sends `[null, null, topic, event, payload]` to every subscriber of the topic. */
  broadcast(topic: string, event: string, payload: Payload): void {
    this.pubsub.broadcast(topic, event, payload);
  }

  /**
   * Closes every connection with this socket id (code 1001) on every node: here at once, and on
   * the others through the PubSub, as Phoenix does with a `disconnect` broadcast to the socket id.
   * Returns how many connections closed on this node.
   */
  disconnect(socketId: string): number {
    this.pubsub.broadcast(SOCKET_CONTROL_TOPIC, Event.disconnect, { id: socketId }, { exceptId: this.#control.id });
    return this.disconnectLocal(socketId);
  }

  /** `disconnect` for this node's connections only; returns how many closed. */
  disconnectLocal(socketId: string): number {
    const group = this.#byId.get(socketId);
    if (!group) return 0;
    const connections = group instanceof Set ? [...group] : [group];
    for (const connection of connections) connection.close(CloseCode.kicked, 'disconnected', 'kicked');
    return connections.length;
  }

  /** Closes every connection with 1012 so clients reconnect once the next server is up. */
  drain(): void {
    for (const connection of [...this.#connections]) connection.close(CloseCode.serverRestart, 'server restart');
  }

  #release(connection: SocketConnection<Assigns>): void {
    this.#connections.delete(connection);
    if (connection.socketId === null) return;
    const group = this.#byId.get(connection.socketId);
    if (group === connection) this.#byId.delete(connection.socketId);
    else if (group instanceof Set) {
      group.delete(connection);
      if (group.size === 0) this.#byId.delete(connection.socketId);
    }
  }
}
