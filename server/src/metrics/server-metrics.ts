import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RoomSimulationStats } from '../game/room-simulation.ts';
import type { GameTotals, RoomSimulations } from '../game/room-simulations.ts';
import type { RoomRegistry } from '../rooms/room-registry.ts';
import type { PeerHeartbeat } from '../rtc/peer-heartbeat.ts';
import type { PeerRegistry } from '../rtc/peer-registry.ts';
import type { PlayerLinks } from '../transport/player-links.ts';

/** The Phoenix socket's figures (`PhoenixSocket` has them). */
export interface SocketFigures {
  readonly connectionCount: number;
  readonly channelCount: number;
  readonly traffic: { readonly framesIn: number; readonly framesOut: number };
}

/** What the metrics read: live objects of one app, sampled at scrape time, never copied. */
export interface MetricsSources {
  /** Undefined until the socket exists. */
  readonly socket: () => SocketFigures | undefined;
  readonly rooms: RoomRegistry;
  readonly games: RoomSimulations;
  readonly peers: PeerRegistry;
  readonly heartbeat: PeerHeartbeat;
  readonly links: PlayerLinks;
  /** Set on a cluster node. */
  readonly cluster?: ClusterFigures;
}

/** What a cluster node can tell about itself and its Redis traffic. */
export interface ClusterFigures {
  /** Nodes seen alive, this one included. */
  aliveNodes(): number;
  readonly redis: {
    readonly published: number;
    readonly publishedBytes: number;
    readonly received: number;
    readonly receivedBytes: number;
    readonly dropped: number;
  };
  /** Tabs of other nodes in rooms this node hosts, and the peers it holds for them. */
  readonly hostedForOthers: { readonly seats: number; readonly peers: number };
}

/**
 * Process-wide metrics (CPU, memory, event-loop delay, GC) exist once per process: registering
 * them per app would start another event-loop monitor for every app a test suite builds.
 */
let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The server's Prometheus metrics: the process's own, plus sockets, rooms, peers, game traffic and
 * dropped messages. Every value is read from the live objects when scraped, so nothing on the hot
 * paths pays for it beyond the counters those objects already keep.
 */
export class ServerMetrics {
  readonly #registry = new Registry();
  #scrape: { totals?: GameTotals; rooms?: RoomSimulationStats[] } = {};
  readonly #unlisten: (() => void)[] = [];

  constructor(sources: MetricsSources) {
    const register = [this.#registry];
    const { rooms, games, peers, links } = sources;
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers: register,
        collect() {
          this.set(read());
        },
      });
    };
    // The rooms' figures are gathered once per scrape, however many metrics read them.
    const totals = (): GameTotals => (this.#scrape.totals ??= games.totals());
    const roomStats = (): RoomSimulationStats[] => (this.#scrape.rooms ??= Object.values(games.stats()));
    // Counters whose running totals live elsewhere: each scrape reports the current total.
    const total = (name: string, help: string, read: () => number): void => {
      new Counter({
        name,
        help,
        registers: register,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    };

    gauge('starcatch_sockets', 'Open Phoenix WebSocket connections.', () => sources.socket()?.connectionCount ?? 0);
    gauge('starcatch_channels', 'Channels joined over every open socket.', () => sources.socket()?.channelCount ?? 0);
    total(
      'starcatch_socket_frames_in_total',
      'Phoenix frames received over WebSockets.',
      () => sources.socket()?.traffic.framesIn ?? 0,
    );
    total(
      'starcatch_socket_frames_out_total',
      'Phoenix frames sent over WebSockets (replies, pushes, broadcasts).',
      () => sources.socket()?.traffic.framesOut ?? 0,
    );
    gauge(
      'starcatch_rooms_open',
      'Open rooms hosted by this process (all of them when it runs alone).',
      () => rooms.list().length,
    );
    gauge('starcatch_rooms_simulating', 'Rooms with a running simulation.', () => games.size);
    gauge('starcatch_players_in_rooms', 'Players in simulated rooms.', () =>
      roomStats().reduce((sum, room) => sum + room.players, 0),
    );
    gauge('starcatch_peers', 'Live WebRTC peers.', () => peers.size);
    gauge(
      'starcatch_tick_max_seconds',
      'Slowest simulation tick of any running room.',
      () => roomStats().reduce((max, room) => Math.max(max, room.maxTickMs), 0) / 1000,
    );
    total(
      'starcatch_datachannel_messages_in_total',
      'DataChannel messages received from players.',
      () => links.counts.dataChannelMessages,
    );
    total(
      'starcatch_peers_closed_for_abuse_total',
      'Peers closed for ignoring the DataChannel budget.',
      () => links.counts.peersClosedForAbuse,
    );
    new Counter({
      name: 'starcatch_snapshots_total',
      help: 'Snapshot copies for players: sent, or skipped because the path was backed up.',
      labelNames: ['outcome'] as const,
      registers: register,
      collect() {
        this.reset();
        const { snapshotsSent, snapshotsSkipped } = totals();
        this.inc({ outcome: 'sent' }, snapshotsSent);
        this.inc({ outcome: 'skipped' }, snapshotsSkipped);
      },
    });
    total(
      'starcatch_snapshot_bytes_total',
      'Snapshot payload bytes sent, without framing.',
      () => totals().snapshotBytes,
    );
    total(
      'starcatch_ticks_skipped_total',
      'Simulation ticks dropped after stalls longer than the catch-up allowance.',
      () => totals().skippedTicks,
    );
    new Counter({
      name: 'starcatch_inputs_total',
      help: 'Player inputs by verdict: queued, or refused (malformed, rate_limited, stale, overflowed); trimmed: dropped to end a standing backlog (two or more waiting at every tick for a second); recovered: taken from a later message (input redundancy).',
      labelNames: ['verdict'] as const,
      registers: register,
      collect() {
        this.reset();
        for (const [verdict, count] of Object.entries(totals().inputs)) this.inc({ verdict }, count);
      },
    });
    const tickSeconds = new Histogram({
      name: 'starcatch_tick_duration_seconds',
      help: 'Wall time of one simulation tick (snapshot encoding included), every room.',
      // A tick is due every 33 ms: the buckets spread over what fits in one, and what does not.
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.033, 0.1],
      registers: register,
    });
    this.#unlisten.push(
      games.onTicks((msPerTick, ticks) => {
        for (let i = 0; i < ticks; i++) tickSeconds.observe(msPerTick / 1000);
      }),
    );
    const peerRtt = new Histogram({
      name: 'starcatch_peer_rtt_seconds',
      help: 'Round trip of the heartbeat ping on each WebRTC peer’s events channel.',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
      registers: register,
    });
    this.#unlisten.push(sources.heartbeat.onRoundTrip((ms) => peerRtt.observe(ms / 1000)));
    if (sources.cluster) this.#clusterMetrics(sources.cluster);
    new Counter({
      name: 'starcatch_dropped_messages_total',
      help: 'Inbound game messages dropped, by reason.',
      labelNames: ['reason'] as const,
      registers: register,
      collect() {
        this.reset();
        const { counts } = links;
        this.inc({ reason: 'datachannel_rate' }, counts.dataChannelDropped);
        this.inc({ reason: 'websocket_input_rate' }, counts.webSocketInputsDropped);
        this.inc({ reason: 'websocket_input_malformed' }, counts.webSocketInputsMalformed);
        this.inc({ reason: 'unroutable' }, counts.unroutable);
      },
    });
  }

  #clusterMetrics(cluster: ClusterFigures): void {
    const register = [this.#registry];
    new Gauge({
      name: 'starcatch_cluster_nodes',
      help: 'Cluster nodes seen alive, this one included.',
      registers: register,
      collect() {
        this.set(cluster.aliveNodes());
      },
    });
    new Gauge({
      name: 'starcatch_cluster_remote_tabs',
      help: 'Tabs whose socket is on another node, in rooms this node simulates (seats) and with peers here (peers).',
      labelNames: ['kind'] as const,
      registers: register,
      collect() {
        this.set({ kind: 'seats' }, cluster.hostedForOthers.seats);
        this.set({ kind: 'peers' }, cluster.hostedForOthers.peers);
      },
    });
    new Counter({
      name: 'starcatch_redis_messages_total',
      help: 'PubSub messages through Redis: published by this node (out) and received from others (in).',
      labelNames: ['direction'] as const,
      registers: register,
      collect() {
        this.reset();
        this.inc({ direction: 'out' }, cluster.redis.published);
        this.inc({ direction: 'in' }, cluster.redis.received);
      },
    });
    new Counter({
      name: 'starcatch_redis_bytes_total',
      help: 'PubSub bytes through Redis, envelopes included.',
      labelNames: ['direction'] as const,
      registers: register,
      collect() {
        this.reset();
        this.inc({ direction: 'out' }, cluster.redis.publishedBytes);
        this.inc({ direction: 'in' }, cluster.redis.receivedBytes);
      },
    });
    new Counter({
      name: 'starcatch_redis_publishes_dropped_total',
      help: 'Broadcasts not sent to other nodes because Redis was unreachable (local delivery still happened).',
      registers: register,
      collect() {
        this.reset();
        this.inc(cluster.redis.dropped);
      },
    });
  }

  /** Stops listening to the rooms (server shutdown). */
  dispose(): void {
    for (const unlisten of this.#unlisten.splice(0)) unlisten();
  }

  get contentType(): string {
    return this.#registry.contentType;
  }

  /** The Prometheus text exposition of every metric. */
  async text(): Promise<string> {
    this.#scrape = {};
    return Registry.merge([processMetrics(), this.#registry]).metrics();
  }
}
