import { type Logger, RedisPresenceTracker, RedisPubSub } from '@starcatch/phoenix';
import { Redis } from 'ioredis';
import type { RoomHost } from '../channels/room-host.ts';
import type { RoomListener } from '../rooms/room-registry.ts';
import type { WebRtcSignaling } from '../rtc/webrtc-signaling.ts';
import type { Storage } from '../storage/storage.ts';
import { ClusterNodes, NODES_TOPIC } from './cluster-nodes.ts';
import { ClusterRooms } from './cluster-rooms.ts';
import { ClusterSignaling } from './cluster-signaling.ts';
import { HostedSeats } from './hosted-seats.ts';
import { NodeBus, nodeTopic } from './node-bus.ts';
import { RoomDirectory } from './room-directory.ts';
import { RoomLeases } from './room-leases.ts';

/** How this process joins a cluster (REDIS_URL, NODE_NAME, ROOM_LEASE_MS). */
export interface ClusterConfig {
  readonly redisUrl: string;
  readonly nodeName: string;
  readonly roomLeaseMs: number;
}

/** Every key this server keeps in Redis starts with this, so one Redis can serve other things too. */
export const REDIS_KEY_PREFIX = 'starcatch:';

/**
 * This process as one node of a cluster: the Redis connections, the cluster-wide PubSub and
 * Presence the socket uses, and the node's view of the others. Built in two steps because the
 * room registry needs `roomListener` before the rooms and signaling can be wired (`attach`).
 */
export class ClusterNode {
  readonly name: string;
  readonly pubsub: RedisPubSub;
  readonly presence: RedisPresenceTracker;
  readonly bus: NodeBus;
  readonly nodes: ClusterNodes;
  readonly directory: RoomDirectory;
  readonly leases: RoomLeases;
  readonly #redis: Redis;
  readonly #logger: Logger;
  #rooms: ClusterRooms | undefined;
  #signaling: ClusterSignaling | undefined;
  #hosted: HostedSeats | undefined;
  #unlisten: (() => void) | undefined;

  private constructor(config: ClusterConfig, redis: Redis, pubsub: RedisPubSub, logger: Logger) {
    this.name = config.nodeName;
    this.#redis = redis;
    this.#logger = logger;
    this.pubsub = pubsub;
    this.presence = new RedisPresenceTracker({ pubsub, logger });
    this.bus = new NodeBus(pubsub, config.nodeName, logger);
    this.nodes = new ClusterNodes(this.presence, config.nodeName);
    pubsub.subscribe(NODES_TOPIC, this.nodes);
    this.directory = new RoomDirectory(redis, REDIS_KEY_PREFIX);
    this.leases = new RoomLeases(redis, config.nodeName, config.roomLeaseMs, REDIS_KEY_PREFIX);
  }

  /** Connects to Redis; throws a readable error when it cannot be reached. */
  static async connect(config: ClusterConfig, logger: Logger): Promise<ClusterNode> {
    const pubsub = await RedisPubSub.connect({ url: config.redisUrl, nodeId: config.nodeName, logger });
    const redis = new Redis(config.redisUrl, {
      lazyConnect: true,
      // Commands fail at once while Redis is down instead of queueing: callers retry on their own clock.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
    });
    redis.on('error', (error: Error) => logger.debug({ err: error }, 'redis command connection error'));
    await redis.connect();
    const node = new ClusterNode(config, redis, pubsub, logger);
    // Subscribed, and every node asked for its presences, before this node serves anyone.
    await Promise.all([
      pubsub.subscribed(nodeTopic(config.nodeName)),
      pubsub.subscribed(NODES_TOPIC),
      node.presence.ready(),
    ]);
    return node;
  }

  get rooms(): ClusterRooms {
    if (!this.#rooms) throw new Error('the cluster node is not attached yet');
    return this.#rooms;
  }

  get signaling(): ClusterSignaling {
    if (!this.#signaling) throw new Error('the cluster node is not attached yet');
    return this.#signaling;
  }

  /** Peers and relayed seats this node holds for tabs of other nodes. */
  get hostedForOthers(): { seats: number; peers: number } {
    return { seats: this.#hosted?.size ?? 0, peers: this.#signaling?.hostedCount ?? 0 };
  }

  /** Keeps the directory in step with the rooms this node hosts. */
  roomListener(host: () => RoomHost): Pick<RoomListener, 'roomCreated' | 'roomUpdated' | 'roomClosed'> {
    const write = (what: string, roomId: string, promise: Promise<unknown>): void => {
      promise.catch((error: unknown) =>
        this.#logger.warn({ err: error, roomId }, `room directory ${what} failed; rewritten when Redis is back`),
      );
    };
    return {
      roomCreated: (room) => write('write', room.id, this.directory.put(room)),
      roomUpdated: (room) => {
        if (host().rooms.get(room.id)) write('write', room.id, this.directory.put(room));
      },
      roomClosed: (roomId) => {
        write('removal', roomId, this.directory.remove(roomId));
        write('lease release', roomId, this.leases.release(roomId));
      },
    };
  }

  /** Wires the rooms and signaling and starts hosting; call once the socket exists. */
  attach(options: {
    readonly host: RoomHost;
    readonly storage: Storage;
    readonly webrtc: WebRtcSignaling;
    readonly leaseMs: number;
    readonly snapshotMaxBufferedBytes: number;
  }): void {
    const { host, storage, webrtc } = options;
    this.#hosted = new HostedSeats(this.bus, host, this.#logger);
    const signaling = new ClusterSignaling(
      this.bus,
      webrtc,
      this.nodes,
      (connectionId) => rooms.hostFor(connectionId),
      this.#logger,
    );
    this.#signaling = signaling;
    const rooms = new ClusterRooms({
      node: this.name,
      host,
      hosted: this.#hosted,
      leases: this.leases,
      directory: this.directory,
      storage,
      bus: this.bus,
      nodes: this.nodes,
      leaseMs: options.leaseMs,
      snapshotMaxBufferedBytes: options.snapshotMaxBufferedBytes,
      follow: (connectionId, node) => signaling.follow(connectionId, node),
      logger: this.#logger,
    });
    this.#rooms = rooms;
    // After a Redis outage (or restart, which empties it) the hosts write their rooms back.
    this.#unlisten = this.pubsub.onConnectionChange((connected) => {
      if (!connected) return;
      rooms.reconnected();
      this.directory
        .putAll(host.rooms.list())
        .catch((error: unknown) => this.#logger.warn({ err: error }, 'room directory not rewritten'));
    });
    this.nodes.join();
    rooms.start();
  }

  /** Leaves the cluster: rooms are given back so other nodes adopt them at once. */
  async close(): Promise<void> {
    this.#unlisten?.();
    this.#rooms?.dispose();
    await this.#rooms?.releaseAll();
    this.#signaling?.dispose();
    this.nodes.leave();
    this.bus.dispose();
    this.presence.dispose();
    await this.pubsub.close();
    this.#redis.disconnect();
  }
}
