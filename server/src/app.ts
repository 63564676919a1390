import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import { LocalPubSub, longPollTransport, type PhoenixSocket, webSocketTransport } from '@starcatch/phoenix';
import { API_PREFIX, ApiPath, ErrorCode, isUnimpaired, SOCKET_PATH } from '@starcatch/shared';
import Fastify, { type FastifyInstance } from 'fastify';
import { resolveSecretKey } from './auth/secret-key.ts';
import { SessionTokens } from './auth/session-token.ts';
import { LocalRooms } from './channels/local-rooms.ts';
import { lobbyRoomBroadcasts } from './channels/room-broadcasts.ts';
import { RoomHost } from './channels/room-host.ts';
import type { SocketAssigns } from './channels/socket-assigns.ts';
import { withIceServers } from './channels/user-channel.ts';
import { createUserSocket } from './channels/user-socket.ts';
import { ClusterNode } from './cluster/cluster.ts';
import { ClusterOperations, type NodeOperations } from './cluster/cluster-operations.ts';
import type { Config } from './config.ts';
import { RoomSimulations } from './game/room-simulations.ts';
import { socketAdmission } from './http/address-sockets.ts';
import { registerAdminRoutes } from './http/admin-routes.ts';
import { sendApiError } from './http/api-error.ts';
import { clientAddressOf } from './http/client-address.ts';
import { capConnections, connectionCap, openFilesLimit } from './http/connection-cap.ts';
import { registerLeaderboardRoutes } from './http/leaderboard-routes.ts';
import { METRICS_PATH, registerMetricsRoute } from './http/metrics-route.ts';
import { registerRoomRoutes } from './http/room-routes.ts';
import { registerSessionRoutes } from './http/session-routes.ts';
import { createRateLimits } from './limits/rate-limits.ts';
import { ServerMetrics } from './metrics/server-metrics.ts';
import { RoomRegistry } from './rooms/room-registry.ts';
import { clientIceServers } from './rtc/client-ice-servers.ts';
import { PeerHeartbeat } from './rtc/peer-heartbeat.ts';
import { logWebRtcSetup } from './rtc/webrtc-setup-log.ts';
import { WebRtcSignaling } from './rtc/webrtc-signaling.ts';
import { weriftPeerFactory } from './rtc/werift-peer.ts';
import { openStorage } from './storage/open-storage.ts';
import { PendingRoundResults } from './storage/pending-round-results.ts';
import type { Storage } from './storage/storage.ts';
import { PlayerLinks } from './transport/player-links.ts';
import { serverImpairment } from './transport/route-impairment.ts';

export interface App {
  readonly http: FastifyInstance;
  readonly socket: PhoenixSocket<SocketAssigns>;
  readonly tokens: SessionTokens;
  readonly storage: Storage;
  readonly rooms: RoomRegistry;
  readonly webrtc: WebRtcSignaling;
  readonly games: RoomSimulations;
  readonly links: PlayerLinks;
  /** Set when this process is a node of a cluster. */
  readonly cluster: ClusterNode | undefined;
  /**
   * With ADMIN_PORT set: the operator listener (/metrics, /api/v1/admin/*), not listening yet, and
   * closed with `http`. Undefined: those routes are on `http`.
   */
  readonly admin: FastifyInstance | undefined;
}

/** Builds the whole server (API, socket, static client) without listening. */
export async function buildApp(config: Config): Promise<App> {
  const http = Fastify({
    // `request.ip` (and so every limit per address) reads X-Forwarded-For only from these proxies.
    trustProxy: config.trustedProxies === false ? false : [...config.trustedProxies],
    logger: {
      level: config.logLevel,
      // Socket URLs can carry a session token (`?token=`): never write it to the logs.
      serializers: {
        req: (request: { method: string; url: string; ip?: string }) => ({
          method: request.method,
          url: request.url.replace(/([?&]token=)[^&]*/g, '$1[redacted]'),
          remoteAddress: request.ip,
        }),
      },
    },
  });
  // Off the game port, outside its connection cap; it logs through the same logger.
  const admin = config.adminPort === undefined ? undefined : Fastify({ loggerInstance: http.log });
  const tokens = new SessionTokens(await resolveSecretKey(config.secretKey, config.dataDir), config.tokenTtlSeconds);
  const storage = await openStorage(config.databaseUrl, config.dataDir);
  // Every rate limit of this process, on one clock.
  const limits = createRateLimits({
    addresses: config.addressLimits,
    roomPush: config.roomPushLimits,
    rooms: config.roomLimits,
    dataChannel: config.rtcDataLimit,
  });
  const { addresses } = limits;
  // A cluster node when REDIS_URL is set: PubSub, Presence and room placement span every node.
  const cluster = config.cluster ? await ClusterNode.connect(config.cluster, http.log) : undefined;
  // The socket's PubSub exists before the socket, so the room registry can broadcast on it from the start.
  const pubsub = cluster?.pubsub ?? new LocalPubSub(http.log);
  const broadcasts = lobbyRoomBroadcasts(pubsub);
  const directory = cluster?.roomListener(() => host);
  const rooms = new RoomRegistry({
    emptyRoomTimeoutMs: config.emptyRoomTimeoutMs,
    listener: {
      roomCreated(room) {
        broadcasts.roomCreated(room);
        directory?.roomCreated(room);
      },
      roomUpdated(room) {
        broadcasts.roomUpdated(room);
        directory?.roomUpdated(room);
      },
      roomClosed(id) {
        broadcasts.roomClosed(id);
        directory?.roomClosed(id);
        storage
          .markRoomClosed(id)
          .catch((error: unknown) => http.log.error({ err: error, id }, 'room close not saved'));
      },
    },
  });
  const webrtc = new WebRtcSignaling({
    createPeer: weriftPeerFactory({
      iceServers: config.iceServers,
      portRange: config.rtcPortRange,
      hostAddresses: config.rtcHostAddresses,
    }),
    signalingLimit: config.rtcSignalingLimit,
    iceLimit: config.rtcIceLimit,
    peerLimits: config.rtcPeerLimits,
    logger: http.log,
    now: limits.now,
  });
  const heartbeat = new PeerHeartbeat(webrtc.peers, { ...config.rtcHeartbeat, logger: http.log });
  // Where browsers reach this node's peers, and whether the TURN server takes TURN_SECRET's credentials.
  void logWebRtcSetup(config.rtcHostAddresses, config.clientIce, http.log);
  // Results waiting for the storage (kept through an outage); shutdown flushes them before closing it.
  const pendingResults = new PendingRoundResults({ store: storage, logger: http.log });
  const games = new RoomSimulations({
    settings: config.game,
    phaseChanged: (roomId, phase) => rooms.setState(roomId, phase),
    roundFinished: (round) => pendingResults.add(round),
    tickFailed: (roomId, error) => http.log.error({ err: error, roomId }, 'room tick failed'),
  });
  const links = new PlayerLinks({
    games,
    peers: webrtc.peers,
    dataChannelLimit: limits.dataChannel,
    snapshotMaxBufferedBytes: config.snapshotMaxBufferedBytes,
    noticeIntervalMs: config.gameNoticeIntervalMs,
    logger: http.log,
    impairment: serverImpairment(config.netImpairment),
  });
  if (!isUnimpaired(config.netImpairment)) {
    http.log.warn(
      { netImpairment: config.netImpairment },
      'NET_IMPAIR_* set: game traffic goes through a simulated bad network',
    );
  }
  const host = new RoomHost({ rooms, games, links });
  cluster?.attach({
    host,
    storage,
    webrtc,
    leaseMs: config.cluster?.roomLeaseMs ?? 0,
    snapshotMaxBufferedBytes: config.snapshotMaxBufferedBytes,
  });
  const roomAccess = cluster?.rooms ?? new LocalRooms(host);
  const socket = createUserSocket({
    tokens,
    storage,
    rooms: roomAccess,
    maxPlayersLimit: config.maxPlayersLimit,
    maxChannels: config.socketMaxChannels,
    logger: http.log,
    // Each `user:<id>` join reply hands the browser its ICE servers (TURN credentials of its own).
    openSignaling: withIceServers(cluster?.signaling.open ?? ((...args) => webrtc.openSession(...args)), (userId) =>
      clientIceServers(config.clientIce, userId),
    ),
    limits,
    roomLimits: config.roomLimits,
    // The rooms this node simulates (in a cluster too): MAX_OPEN_ROOMS protects this process.
    openRoomCount: () => rooms.list().length,
    pubsub,
    ...(cluster && { presence: cluster.presence }),
  });

  // Rooms survive a restart, so tabs that were in one rejoin it when they reconnect. (A cluster
  // node adopts the stored rooms nobody hosts instead: see ClusterRooms.)
  if (!cluster) for (const room of await storage.openRooms()) rooms.open(room);

  await http.register(webSocketTransport<SocketAssigns>, {
    socket,
    path: SOCKET_PATH,
    // Upgrades never become Fastify requests: the same address `request.ip` gives, and the cap.
    clientAddress: clientAddressOf(config.trustedProxies),
    admit: socketAdmission(addresses, http.log),
    checkOrigin: config.allowedOrigins,
    maxFrameSize: config.socketMaxFrameBytes,
    idleTimeoutMs: config.socketIdleTimeoutMs,
    maxSendBacklogBytes: config.socketMaxBacklogBytes,
    maxQueuedMessages: config.socketMaxQueuedMessages,
  });
  // The same socket over HTTP long polling, for browsers whose WebSocket is blocked (phoenix.js
  // `longPollFallbackMs`): the same checks and limits; a session counts as a socket of its address.
  await http.register(longPollTransport<SocketAssigns>, {
    socket,
    path: SOCKET_PATH,
    checkOrigin: config.allowedOrigins,
    maxFrameSize: config.socketMaxFrameBytes,
    windowMs: config.socketLongPollWindowMs,
    idleTimeoutMs: config.socketLongPollIdleTimeoutMs,
    maxSendBacklogBytes: config.socketMaxBacklogBytes,
    maxQueuedMessages: config.socketMaxQueuedMessages,
    admit: (request) => addresses.openSocket(request.ip) ?? false,
    // A session lives on one node; in a cluster the next request may reach another (WORKERS > 1
    // hands out TCP connections round-robin), which relays it over Redis.
    relayAcrossNodes: cluster !== undefined,
  });
  registerSessionRoutes(http, tokens, storage, addresses);
  registerRoomRoutes(http, roomAccess);
  registerLeaderboardRoutes(http, storage);
  capConnections(http.server, connectionCap(config.maxConnections, openFilesLimit()), http.log);
  const local: NodeOperations = {
    closePeersOf(userId) {
      const closing = webrtc.peers.forUser(userId);
      for (const peer of closing) peer.close(ErrorCode.closedByOperator);
      return closing.length;
    },
    disconnect: (socketId) => socket.disconnectLocal(socketId),
  };
  const clusterOperations = cluster && new ClusterOperations(cluster.bus, cluster.nodes, local, http.log);
  registerAdminRoutes(admin ?? http, config.adminToken, {
    closePeersOf: async (userId) => clusterOperations?.closePeersOf(userId) ?? local.closePeersOf(userId),
    disconnect: async (socketId) => clusterOperations?.disconnect(socketId) ?? local.disconnect(socketId),
  });
  const metrics = new ServerMetrics({
    socket: () => socket,
    rooms,
    games,
    peers: webrtc.peers,
    heartbeat,
    links,
    ...(cluster && {
      cluster: {
        aliveNodes: () => cluster.nodes.alive().length,
        redis: cluster.pubsub.stats,
        get hostedForOthers() {
          return cluster.hostedForOthers;
        },
      },
    }),
  });
  registerMetricsRoute(admin ?? http, metrics);
  http.get(ApiPath.health, async () => ({
    status: 'ok',
    storage: storage.engine,
    connections: socket.connectionCount,
    peers: webrtc.peers.size,
    ...(cluster && { node: cluster.name, nodes: cluster.nodes.alive().sort() }),
  }));
  // Sockets drain first (the transport's preClose), then storage closes: acknowledged writes are on disk.
  http.addHook('onClose', async () => {
    await admin?.close();
    // Closing the sockets closed their peers; this catches any still negotiating.
    heartbeat.dispose();
    metrics.dispose();
    webrtc.peers.closeAll();
    links.dispose();
    games.dispose();
    rooms.dispose();
    await cluster?.close();
    await pendingResults.close();
    await storage.close();
  });

  if (config.clientDist) await serveClient(http, resolve(config.clientDist));
  return { http, socket, tokens, storage, rooms, webrtc, games, links, cluster, admin };
}

async function serveClient(http: FastifyInstance, root: string): Promise<void> {
  if (!existsSync(resolve(root, 'index.html'))) {
    http.log.warn({ root }, 'CLIENT_DIST has no index.html; run `pnpm build` first');
    return;
  }
  await http.register(fastifyStatic, { root, wildcard: false });
  // The client routes with `#/…`, so every other GET outside the API gets the app shell.
  http.setNotFoundHandler((request, reply) => {
    const served =
      request.url.startsWith(API_PREFIX) ||
      request.url.startsWith(`${SOCKET_PATH}/`) ||
      request.url === METRICS_PATH ||
      request.url.startsWith(`${METRICS_PATH}?`);
    if (request.method === 'GET' && !served) {
      return reply.sendFile('index.html');
    }
    return sendApiError(reply, 404, ErrorCode.notFound, `no route for ${request.method} ${request.url}`);
  });
}
