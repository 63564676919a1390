import { availableParallelism, hostname, networkInterfaces } from 'node:os';
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_LONGPOLL_IDLE_TIMEOUT_MS,
  DEFAULT_LONGPOLL_WINDOW_MS,
  DEFAULT_MAX_CHANNELS,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_MAX_QUEUED_MESSAGES,
  DEFAULT_MAX_SEND_BACKLOG_BYTES,
} from '@starcatch/phoenix';
import {
  DEFAULT_GAME_RATES,
  gameRatesProblem,
  INTERMISSION_SECONDS,
  MAX_IMPAIRMENT_JITTER_MS,
  MAX_IMPAIRMENT_LAG_MS,
  MAX_IMPAIRMENT_LOSS_PERCENT,
  MAX_PLAYERS_LIMIT,
  MAX_TICK_HZ,
  MIN_SNAPSHOT_HZ,
  MIN_TICK_HZ,
  type NetworkConditions,
  ROUND_SECONDS,
} from '@starcatch/shared';
import { z } from 'zod';
import type { ClusterConfig } from './cluster/cluster.ts';
import { DEFAULT_ROOM_LEASE_MS } from './cluster/room-leases.ts';
import {
  DEFAULT_INPUT_QUEUE_LIMIT,
  DEFAULT_MAX_CATCH_UP_TICKS,
  inputBudgetFor,
  type SimulationSettings,
} from './game/simulation-settings.ts';
import { type AddressLimitSettings, DEFAULT_ADDRESS_LIMITS } from './limits/address-limits.ts';
import type { RateLimitOptions } from './limits/keyed-rate-limit.ts';
import { DEFAULT_ROOM_LIMITS, type RoomLimits, type RoomPushLimits } from './limits/room-limits.ts';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from './process-lifecycle.ts';
import { DEFAULT_EMPTY_ROOM_TIMEOUT_MS } from './rooms/room-registry.ts';
import type { ClientIceSettings } from './rtc/client-ice-servers.ts';
import { type NetworkInterfaces, selectHostAddresses } from './rtc/host-addresses.ts';
import type { IceServer } from './rtc/rtc-peer.ts';
import { DEFAULT_PEER_LIMITS, type PeerLimits } from './rtc/signaling-session.ts';

const IceServerSchema = z.object({
  urls: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

/** A JSON array of `RTCIceServer`s, e.g. `[{"urls":"stun:stun.example.org:3478"}]`. */
const IceServers = z
  .string()
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'must be a JSON array of {urls, username?, credential?}' });
      return z.NEVER;
    }
  })
  .pipe(z.array(IceServerSchema));

const Port = z.coerce.number().int().min(1).max(65_535);
const PerMinute = z.coerce.number().positive();
const Burst = z.coerce.number().int().positive();
const Count = z.coerce.number().int().positive();

/** The worker's index (0-based), set by the primary in each worker's environment when WORKERS > 1. */
export const WORKER_INDEX_VARIABLE = 'STARCATCH_WORKER_INDEX';
export const WORKER_LIFE_VARIABLE = 'STARCATCH_WORKER_LIFE';
/** With WORKERS > 1 each worker gets its own slice of RTC_PORT_MIN..RTC_PORT_MAX, at least this big (two per peer). */
export const MIN_RTC_PORTS_PER_WORKER = 8;

/** Server settings from the environment, each with its default; validated once at start. */
const Environment = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Signs session tokens. Unset: one is generated and kept in DATA_DIR, so tokens survive restarts. */
  SECRET_KEY: z.string().min(32, 'SECRET_KEY must be at least 32 characters').optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  /** How long a session token stays valid: 7 days. */
  TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
  /** PostgreSQL URL; unset uses the embedded SQLite file in DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /** An empty room closes after this long. */
  EMPTY_ROOM_TIMEOUT_MS: z.coerce.number().int().positive().default(DEFAULT_EMPTY_ROOM_TIMEOUT_MS),
  /** The largest room a player may create (at most the shared `MAX_PLAYERS_LIMIT`, the default). */
  MAX_PLAYERS_LIMIT: z.coerce.number().int().min(1).max(MAX_PLAYERS_LIMIT).default(MAX_PLAYERS_LIMIT),
  /** Comma-separated origins allowed to open the socket; unset allows any. */
  ALLOWED_ORIGINS: z.string().optional(),
  /** Close sockets that sent nothing for this long; clients heartbeat every 30 s. */
  SOCKET_IDLE_TIMEOUT_MS: Count.default(DEFAULT_IDLE_TIMEOUT_MS),
  SOCKET_MAX_FRAME_BYTES: Count.default(DEFAULT_MAX_FRAME_SIZE),
  SOCKET_MAX_CHANNELS: Count.default(DEFAULT_MAX_CHANNELS),
  /**
   * A socket with more than this many bytes waiting unsent (its client stopped reading) is closed
   * with 1013: 4 MiB, far above a healthy tab's backlog (its snapshots stop at 4 KiB).
   */
  SOCKET_MAX_BACKLOG_BYTES: Count.default(DEFAULT_MAX_SEND_BACKLOG_BYTES),
  /**
   * Messages a socket may hold waiting behind a join, and each joined channel waiting for its
   * handler (a slow database); more are answered `message queue full`.
   */
  SOCKET_MAX_QUEUED_MESSAGES: Count.default(DEFAULT_MAX_QUEUED_MESSAGES),
  /** LongPoll (`/socket/longpoll`): how long a poll waits for a message before it is answered 204. */
  SOCKET_LONGPOLL_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(19_000, 'must stay below phoenix.js’s 20 s LongPoll request timeout')
    .default(DEFAULT_LONGPOLL_WINDOW_MS),
  /** A LongPoll session with no request in flight for this long is closed (the tab is gone: its presence leaves). */
  SOCKET_LONGPOLL_IDLE_TIMEOUT_MS: Count.default(DEFAULT_LONGPOLL_IDLE_TIMEOUT_MS),
  /**
   * Open connections (sockets and HTTP) the server accepts; more are refused at once. Unset: the
   * process's open-files limit less 512 descriptors of headroom, where that limit can be read.
   */
  MAX_CONNECTIONS: z.coerce.number().int().positive().optional(),
  /**
   * Comma-separated IPs or CIDRs of the reverse proxies in front of the server: only a request from
   * one of them has its client address read from `X-Forwarded-For`. Unset: the header is ignored
   * and every limit per address counts the TCP peer's address.
   */
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((text) =>
      (text ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]))),
  /** Per client address: guest sign-ins per minute (each makes a new identity with fresh budgets). */
  SIGN_INS_PER_ADDRESS_PER_MINUTE: Count.default(DEFAULT_ADDRESS_LIMITS.signInsPerMinute),
  /** Per client address: socket upgrades per minute; more are refused with HTTP 429. */
  SOCKET_CONNECTS_PER_ADDRESS_PER_MINUTE: Count.default(DEFAULT_ADDRESS_LIMITS.socketConnectsPerMinute),
  /** Per client address: sockets open at once; more are refused with HTTP 429. */
  MAX_SOCKETS_PER_ADDRESS: Count.default(DEFAULT_ADDRESS_LIMITS.maxSockets),
  /** Rooms created per minute (`room:create`, and quick play when it opens one): per user, and per address. */
  ROOM_CREATES_PER_USER_PER_MINUTE: Count.default(DEFAULT_ROOM_LIMITS.createsPerUserPerMinute),
  ROOM_CREATES_PER_ADDRESS_PER_MINUTE: Count.default(DEFAULT_ADDRESS_LIMITS.roomCreatesPerMinute),
  /** Per socket: `room:<id>` joins per minute, refused ones included. */
  ROOM_JOINS_PER_SOCKET_PER_MINUTE: Count.default(DEFAULT_ROOM_LIMITS.joinsPerSocketPerMinute),
  /** Per socket: rooms joined at once. 2, not 1, so that switching rooms (leave, then join) never trips it. */
  SOCKET_MAX_ROOMS: Count.default(DEFAULT_ROOM_LIMITS.maxRoomsPerSocket),
  /** Rooms this process holds open at once; creating one more is refused with `too_many_rooms`. */
  MAX_OPEN_ROOMS: Count.default(DEFAULT_ROOM_LIMITS.maxOpenRooms),
  /** The built client to serve; unset serves nothing (use the Vite dev server). */
  CLIENT_DIST: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** STUN/TURN servers for the server's WebRTC peers; empty: none (local play needs none). */
  ICE_SERVERS: IceServers.default([]),
  /** UDP ports for WebRTC (both or neither, MIN < MAX); unset: any free port. Two per peer. */
  RTC_PORT_MIN: Port.optional(),
  RTC_PORT_MAX: Port.optional(),
  /**
   * STUN/TURN servers for browsers, sent to each in its `user:<id>` join reply. Every player can
   * read them, so they carry no credentials: TURN credentials come from TURN_SECRET.
   */
  CLIENT_ICE_SERVERS: IceServers.default([]),
  /**
   * coturn's shared secret (`use-auth-secret`, `static-auth-secret`): each browser gets TURN
   * credentials of its own for TURN_URLS, valid TURN_TTL_SECONDS (rtc/client-ice-servers.ts).
   */
  TURN_SECRET: z.string().min(1).optional(),
  /** Comma-separated `turn:` / `turns:` URLs of that TURN server (required with TURN_SECRET). */
  TURN_URLS: z
    .string()
    .optional()
    .transform((text) =>
      (text ?? '')
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^turns?:[^\s]+$/, 'must be a turn: or turns: URL'))),
  /** How long a browser's TURN credentials stay valid: a day (a new join of `user:<id>` brings new ones). */
  TURN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(24 * 3600),
  /**
   * Comma-separated IPv4 addresses the server's WebRTC peers announce, exactly (e.g. the public
   * address behind NAT, and the LAN address). Unset or empty: chosen from HOST, 127.0.0.1 alone on
   * loopback, else 127.0.0.1 and the machine's LAN addresses (rtc/host-addresses.ts).
   */
  RTC_HOST_ADDRESSES: z
    .string()
    .optional()
    .transform((text) =>
      (text ?? '')
        .split(',')
        .map((address) => address.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.ipv4())),
  /** Per user: `webrtc:offer` + `webrtc:close` at once, and per minute after that. */
  RTC_SIGNALING_BURST: Burst.default(10),
  RTC_SIGNALING_PER_MINUTE: PerMinute.default(30),
  /** Per user: client `webrtc:ice` at once, and per minute after that (a negotiation sends ~2-20). */
  RTC_ICE_BURST: Burst.default(60),
  RTC_ICE_PER_MINUTE: PerMinute.default(240),
  /** Per user and budget: refused messages tolerated per minute before the peer is closed. */
  RTC_ABUSE_STRIKES_PER_MINUTE: Burst.default(20),
  /**
   * Per user, messages on the DataChannels (both channels, all tabs): at once, and per minute after
   * that. A client sends 30 inputs per second (1,800 a minute); the default allows 80 per second.
   */
  RTC_DATA_BURST: Burst.default(90),
  RTC_DATA_PER_MINUTE: PerMinute.default(4_800),
  /**
   * Refused DataChannel messages tolerated per minute before the peer is closed (its own count:
   * at 30 Hz a misbehaving client piles up strikes far faster than a signaling one).
   */
  RTC_DATA_STRIKES_PER_MINUTE: Burst.default(300),
  /** Per user, `input` pushes on room:<id> (the WebSocket fallback), with the same sizing as RTC_DATA_*. */
  ROOM_INPUT_BURST: Burst.default(90),
  ROOM_INPUT_PER_MINUTE: PerMinute.default(4_800),
  /** Per user, `chat:send` on the lobby and every room together: at once, then per minute (5/s: chatty humans never meet it). */
  ROOM_CHAT_BURST: Burst.default(30),
  ROOM_CHAT_PER_MINUTE: PerMinute.default(300),
  /** Length of a round and of the pause after it, in seconds (tests and demos shrink them). */
  ROUND_SECONDS: z.coerce.number().positive().default(ROUND_SECONDS),
  INTERMISSION_SECONDS: z.coerce.number().positive().default(INTERMISSION_SECONDS),
  /** Ticks a room runs back to back after a stall; a longer stall is skipped, not fast-forwarded (4 = 133 ms). */
  GAME_MAX_CATCH_UP_TICKS: z.coerce.number().int().min(1).max(30).default(DEFAULT_MAX_CATCH_UP_TICKS),
  /** Simulation steps per second of every room; clients learn it from `sync` (docs/netcode.md: why 30). */
  GAME_TICK_HZ: z.coerce.number().int().min(MIN_TICK_HZ).max(MAX_TICK_HZ).default(DEFAULT_GAME_RATES.tickHz),
  /** Snapshots per second to each player, at most GAME_TICK_HZ (docs/netcode.md: why 20). */
  SNAPSHOT_HZ: z.coerce.number().int().min(MIN_SNAPSHOT_HZ).max(MAX_TICK_HZ).default(DEFAULT_GAME_RATES.snapshotHz),
  /**
   * Per tab, inputs accepted at once and per second by the simulation (clients send one per tick).
   * Unset: a second of ticks at once and twice the tick rate sustained (30 and 60 at 30 Hz).
   */
  GAME_INPUT_BURST: Burst.optional(),
  GAME_INPUT_PER_SECOND: z.coerce.number().positive().optional(),
  /**
   * Simulated bad network on every game link of this server, for bots and tests (off by default):
   * added round trip and jitter in ms, loss in percent; see shared/src/game/network-impairment.ts.
   */
  NET_IMPAIR_LAG_MS: z.coerce.number().min(0).max(MAX_IMPAIRMENT_LAG_MS).default(0),
  NET_IMPAIR_JITTER_MS: z.coerce.number().min(0).max(MAX_IMPAIRMENT_JITTER_MS).default(0),
  NET_IMPAIR_LOSS: z.coerce.number().min(0).max(MAX_IMPAIRMENT_LOSS_PERCENT).default(0),
  /**
   * A peer with more than this many bytes queued on its DataChannels gets no snapshots until it
   * drains (4 KiB: about 2 s of 8-player snapshots, or a few events' worth of JSON).
   */
  SNAPSHOT_MAX_BUFFERED_BYTES: z.coerce.number().int().positive().default(4_096),
  /** At most one `game:notice` (traffic dropped) per tab per this many ms. */
  GAME_NOTICE_INTERVAL_MS: z.coerce.number().int().positive().default(1_000),
  /** How often the server pings each WebRTC peer on `events`. */
  RTC_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().positive().default(2_500),
  /** A peer silent (no input, no pong) for this long is closed; the client falls back to the WebSocket. */
  RTC_PEER_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** WebRTC peers per user (one per tab); an offer beyond it closes the user's oldest peer. */
  RTC_MAX_PEERS_PER_USER: Count.default(DEFAULT_PEER_LIMITS.maxPerUser),
  /** WebRTC peers of this process in total; an offer beyond it is refused with `webrtc_unavailable`. */
  RTC_MAX_PEERS: Count.default(DEFAULT_PEER_LIMITS.maxTotal),
  /** A peer whose two DataChannels are not both open this long after its offer is closed (`peer_timeout`). */
  RTC_OPEN_TIMEOUT_MS: Count.default(DEFAULT_PEER_LIMITS.openTimeoutMs),
  /** Bearer token for the operator routes under /api/v1/admin; unset: those routes do not exist. */
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  /**
   * A second listener for /metrics and the operator routes, off the game port (which then answers
   * 404 for them) and outside MAX_CONNECTIONS. Unset: both are served on PORT. With WORKERS > 1,
   * worker i listens on ADMIN_PORT + i (0: any free port each).
   */
  ADMIN_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Where the admin listener binds: loopback by default, so it is not exposed with the game port. */
  ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * How long a shutdown (SIGTERM / SIGINT) may take to drain sockets and flush storage; past it the
   * process exits with code 1. A second signal exits at once.
   */
  SHUTDOWN_TIMEOUT_MS: Count.default(DEFAULT_SHUTDOWN_TIMEOUT_MS),
  /** Redis for a cluster of server processes (PubSub, Presence, room leases); unset: one standalone process. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must start with redis:// or rediss://')
    .optional(),
  /** This process's name in the cluster (logs, metrics, room leases); unique per process. */
  NODE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'NODE_NAME: 1-64 letters, digits, "_", ".", ":" or "-"')
    .optional(),
  /** Server processes behind the one port: a number, or `auto` for one per core. More than 1 needs REDIS_URL. */
  WORKERS: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(64)])
    .default(1)
    .transform((workers) => (workers === 'auto' ? availableParallelism() : workers)),
  /** A room's host renews its lease this often; a host silent for ROOM_LEASE_MS loses its rooms to another node. */
  ROOM_LEASE_MS: z.coerce.number().int().min(1_000).max(60_000).default(DEFAULT_ROOM_LEASE_MS),
  /** Set by the primary (WORKERS > 1) in each worker it forks: picks the worker's node name and RTC port slice. */
  STARCATCH_WORKER_INDEX: z.coerce.number().int().min(0).optional(),
  /** Set by the primary: how many times this worker slot was restarted (0 the first time). */
  STARCATCH_WORKER_LIFE: z.coerce.number().int().min(0).default(0),
});

/** Rules across variables. */
const CheckedEnvironment = Environment.superRefine((e, context) => {
  const rates = gameRatesProblem({ tickHz: e.GAME_TICK_HZ, snapshotHz: e.SNAPSHOT_HZ });
  if (rates !== null) context.addIssue({ code: 'custom', path: ['SNAPSHOT_HZ'], message: rates });
  if (e.RTC_PEER_TIMEOUT_MS <= e.RTC_HEARTBEAT_INTERVAL_MS) {
    context.addIssue({
      code: 'custom',
      path: ['RTC_PEER_TIMEOUT_MS'],
      message: 'RTC_PEER_TIMEOUT_MS must exceed RTC_HEARTBEAT_INTERVAL_MS',
    });
  }
  // A cluster shares sessions and rooms, so every node must read the same database and sign with the same key.
  if (e.REDIS_URL !== undefined) {
    for (const name of ['DATABASE_URL', 'SECRET_KEY'] as const) {
      if (e[name] === undefined) {
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `${name} is required when REDIS_URL is set: every node of a cluster must share it`,
        });
      }
    }
  }
  if (e.WORKERS > 1 && e.REDIS_URL === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['REDIS_URL'],
      message: `WORKERS=${e.WORKERS} runs a cluster of processes: set REDIS_URL (and DATABASE_URL, SECRET_KEY)`,
    });
  }
  if ((e.RTC_PORT_MIN === undefined) !== (e.RTC_PORT_MAX === undefined)) {
    context.addIssue({
      code: 'custom',
      path: ['RTC_PORT_MIN'],
      message: 'set both RTC_PORT_MIN and RTC_PORT_MAX, or neither',
    });
  } else if (e.RTC_PORT_MIN !== undefined && e.RTC_PORT_MAX !== undefined && e.RTC_PORT_MIN >= e.RTC_PORT_MAX) {
    context.addIssue({ code: 'custom', path: ['RTC_PORT_MIN'], message: 'RTC_PORT_MIN must be below RTC_PORT_MAX' });
  } else if (e.RTC_PORT_MIN !== undefined && e.RTC_PORT_MAX !== undefined && e.WORKERS > 1) {
    const ports = e.RTC_PORT_MAX - e.RTC_PORT_MIN + 1;
    const needed = e.WORKERS * MIN_RTC_PORTS_PER_WORKER;
    if (ports < needed) {
      context.addIssue({
        code: 'custom',
        path: ['RTC_PORT_MIN'],
        message: `RTC_PORT_MIN..RTC_PORT_MAX holds ${ports} ports; WORKERS=${e.WORKERS} needs at least ${needed} (${MIN_RTC_PORTS_PER_WORKER} per worker)`,
      });
    }
  }
  if ((e.TURN_SECRET === undefined) !== (e.TURN_URLS.length === 0)) {
    context.addIssue({
      code: 'custom',
      path: [e.TURN_SECRET === undefined ? 'TURN_SECRET' : 'TURN_URLS'],
      message:
        'set both TURN_SECRET and TURN_URLS, or neither (TURN URLs without credentials go in CLIENT_ICE_SERVERS)',
    });
  }
  e.CLIENT_ICE_SERVERS.forEach((server, index) => {
    if (server.username !== undefined || server.credential !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['CLIENT_ICE_SERVERS', index],
        message: 'is sent to every browser: put no username or credential in it (use TURN_SECRET for TURN)',
      });
    }
  });
  if (e.ADMIN_PORT) {
    const last = e.ADMIN_PORT + e.WORKERS - 1;
    if (last > 65_535) {
      context.addIssue({
        code: 'custom',
        path: ['ADMIN_PORT'],
        message: `ADMIN_PORT + WORKERS - 1 (${last}) is over 65535`,
      });
    } else if (e.PORT >= e.ADMIN_PORT && e.PORT <= last) {
      context.addIssue({ code: 'custom', path: ['ADMIN_PORT'], message: 'ADMIN_PORT must differ from PORT' });
    }
  }
  const worker = e.STARCATCH_WORKER_INDEX;
  if (worker !== undefined && worker >= e.WORKERS) {
    context.addIssue({
      code: 'custom',
      path: ['STARCATCH_WORKER_INDEX'],
      message: `STARCATCH_WORKER_INDEX must be below WORKERS (${e.WORKERS})`,
    });
  }
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly secretKey: string | undefined;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly emptyRoomTimeoutMs: number;
  readonly maxPlayersLimit: number;
  readonly tokenTtlSeconds: number;
  readonly allowedOrigins: readonly string[] | false;
  readonly socketIdleTimeoutMs: number;
  readonly socketMaxFrameBytes: number;
  readonly socketMaxChannels: number;
  readonly socketMaxBacklogBytes: number;
  readonly socketMaxQueuedMessages: number;
  readonly socketLongPollWindowMs: number;
  readonly socketLongPollIdleTimeoutMs: number;
  readonly maxConnections: number | undefined;
  /** Proxies whose `X-Forwarded-For` is believed (Fastify's `trustProxy`); false: none. */
  readonly trustedProxies: readonly string[] | false;
  readonly addressLimits: AddressLimitSettings;
  readonly roomLimits: RoomLimits;
  readonly clientDist: string | undefined;
  readonly logLevel: string;
  readonly iceServers: readonly IceServer[];
  readonly rtcPortRange: readonly [number, number] | undefined;
  /** The addresses the server's WebRTC peers gather on and announce (RTC_HOST_ADDRESSES, else chosen from HOST). */
  readonly rtcHostAddresses: readonly string[];
  /** What browsers get in their `user:<id>` join reply to reach the server over WebRTC. */
  readonly clientIce: ClientIceSettings;
  readonly rtcSignalingLimit: RateLimitOptions;
  readonly rtcIceLimit: RateLimitOptions;
  readonly rtcDataLimit: RateLimitOptions;
  readonly roomPushLimits: RoomPushLimits;
  readonly game: SimulationSettings;
  /** NET_IMPAIR_*: all zero unless a bot run or a test asks for a bad network. */
  readonly netImpairment: NetworkConditions;
  readonly snapshotMaxBufferedBytes: number;
  readonly gameNoticeIntervalMs: number;
  readonly rtcHeartbeat: { readonly intervalMs: number; readonly timeoutMs: number };
  readonly rtcPeerLimits: PeerLimits;
  readonly adminToken: string | undefined;
  /** Set: /metrics and the operator routes are served there only (`App.admin`), not on `port`. */
  readonly adminPort: number | undefined;
  readonly adminHost: string;
  readonly shutdownTimeoutMs: number;
  /** Set when this process is one node of a cluster. */
  readonly cluster: ClusterConfig | undefined;
  readonly workers: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads the environment; throws `ConfigError` listing every bad variable. `interfaces` (the
 * machine's, by default) pick the WebRTC host addresses when RTC_HOST_ADDRESSES is unset.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  interfaces: NetworkInterfaces = networkInterfaces(),
): Config {
  const parsed = CheckedEnvironment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  const worker = e.STARCATCH_WORKER_INDEX;
  const rtcPortRange: [number, number] | undefined =
    e.RTC_PORT_MIN !== undefined && e.RTC_PORT_MAX !== undefined ? [e.RTC_PORT_MIN, e.RTC_PORT_MAX] : undefined;
  // A worker's parent is the primary, so every worker of one primary shares its default name.
  const nodeName = e.NODE_NAME ?? defaultNodeName(worker === undefined ? process.pid : process.ppid);
  const origins = e.ALLOWED_ORIGINS?.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  return {
    port: e.PORT,
    host: e.HOST,
    secretKey: e.SECRET_KEY,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    emptyRoomTimeoutMs: e.EMPTY_ROOM_TIMEOUT_MS,
    maxPlayersLimit: e.MAX_PLAYERS_LIMIT,
    tokenTtlSeconds: e.TOKEN_TTL_SECONDS,
    allowedOrigins: origins && origins.length > 0 ? origins : false,
    socketIdleTimeoutMs: e.SOCKET_IDLE_TIMEOUT_MS,
    socketMaxFrameBytes: e.SOCKET_MAX_FRAME_BYTES,
    socketMaxChannels: e.SOCKET_MAX_CHANNELS,
    socketMaxBacklogBytes: e.SOCKET_MAX_BACKLOG_BYTES,
    socketMaxQueuedMessages: e.SOCKET_MAX_QUEUED_MESSAGES,
    socketLongPollWindowMs: e.SOCKET_LONGPOLL_WINDOW_MS,
    socketLongPollIdleTimeoutMs: e.SOCKET_LONGPOLL_IDLE_TIMEOUT_MS,
    maxConnections: e.MAX_CONNECTIONS,
    trustedProxies: e.TRUSTED_PROXIES.length > 0 ? e.TRUSTED_PROXIES : false,
    addressLimits: {
      signInsPerMinute: e.SIGN_INS_PER_ADDRESS_PER_MINUTE,
      socketConnectsPerMinute: e.SOCKET_CONNECTS_PER_ADDRESS_PER_MINUTE,
      maxSockets: e.MAX_SOCKETS_PER_ADDRESS,
      roomCreatesPerMinute: e.ROOM_CREATES_PER_ADDRESS_PER_MINUTE,
    },
    roomLimits: {
      createsPerUserPerMinute: e.ROOM_CREATES_PER_USER_PER_MINUTE,
      joinsPerSocketPerMinute: e.ROOM_JOINS_PER_SOCKET_PER_MINUTE,
      maxRoomsPerSocket: e.SOCKET_MAX_ROOMS,
      maxOpenRooms: e.MAX_OPEN_ROOMS,
    },
    clientDist: e.CLIENT_DIST,
    logLevel: e.LOG_LEVEL,
    iceServers: e.ICE_SERVERS,
    rtcPortRange:
      rtcPortRange && worker !== undefined ? workerPortRange(rtcPortRange, e.WORKERS, worker) : rtcPortRange,
    rtcHostAddresses: selectHostAddresses(e.HOST, e.RTC_HOST_ADDRESSES, interfaces),
    clientIce: {
      servers: e.CLIENT_ICE_SERVERS,
      turn:
        e.TURN_SECRET === undefined
          ? undefined
          : { secret: e.TURN_SECRET, urls: e.TURN_URLS, ttlSeconds: e.TURN_TTL_SECONDS },
    },
    rtcSignalingLimit: {
      burst: e.RTC_SIGNALING_BURST,
      perMinute: e.RTC_SIGNALING_PER_MINUTE,
      strikesPerMinute: e.RTC_ABUSE_STRIKES_PER_MINUTE,
    },
    rtcIceLimit: {
      burst: e.RTC_ICE_BURST,
      perMinute: e.RTC_ICE_PER_MINUTE,
      strikesPerMinute: e.RTC_ABUSE_STRIKES_PER_MINUTE,
    },
    rtcDataLimit: {
      burst: e.RTC_DATA_BURST,
      perMinute: e.RTC_DATA_PER_MINUTE,
      strikesPerMinute: e.RTC_DATA_STRIKES_PER_MINUTE,
    },
    // Nobody is disconnected over room pushes, so strikes only decide `limited` vs `abusive`, both refused.
    roomPushLimits: {
      input: { burst: e.ROOM_INPUT_BURST, perMinute: e.ROOM_INPUT_PER_MINUTE, strikesPerMinute: e.ROOM_INPUT_BURST },
      chat: { burst: e.ROOM_CHAT_BURST, perMinute: e.ROOM_CHAT_PER_MINUTE, strikesPerMinute: e.ROOM_CHAT_BURST },
    },
    game: {
      timing: { roundSeconds: e.ROUND_SECONDS, intermissionSeconds: e.INTERMISSION_SECONDS },
      rates: { tickHz: e.GAME_TICK_HZ, snapshotHz: e.SNAPSHOT_HZ },
      maxCatchUpTicks: e.GAME_MAX_CATCH_UP_TICKS,
      inputBudget: {
        burst: e.GAME_INPUT_BURST ?? inputBudgetFor(e.GAME_TICK_HZ).burst,
        perSecond: e.GAME_INPUT_PER_SECOND ?? inputBudgetFor(e.GAME_TICK_HZ).perSecond,
      },
      inputQueueLimit: DEFAULT_INPUT_QUEUE_LIMIT,
    },
    netImpairment: { lagMs: e.NET_IMPAIR_LAG_MS, jitterMs: e.NET_IMPAIR_JITTER_MS, lossPercent: e.NET_IMPAIR_LOSS },
    snapshotMaxBufferedBytes: e.SNAPSHOT_MAX_BUFFERED_BYTES,
    gameNoticeIntervalMs: e.GAME_NOTICE_INTERVAL_MS,
    rtcHeartbeat: { intervalMs: e.RTC_HEARTBEAT_INTERVAL_MS, timeoutMs: e.RTC_PEER_TIMEOUT_MS },
    rtcPeerLimits: {
      maxPerUser: e.RTC_MAX_PEERS_PER_USER,
      maxTotal: e.RTC_MAX_PEERS,
      openTimeoutMs: e.RTC_OPEN_TIMEOUT_MS,
    },
    adminToken: e.ADMIN_TOKEN,
    // Each worker its own admin listener: ADMIN_PORT + its index (0 stays "any free port").
    adminPort: e.ADMIN_PORT && worker !== undefined ? e.ADMIN_PORT + worker : e.ADMIN_PORT,
    adminHost: e.ADMIN_HOST,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    cluster:
      e.REDIS_URL === undefined
        ? undefined
        : {
            redisUrl: e.REDIS_URL,
            nodeName: worker === undefined ? nodeName : workerNodeName(nodeName, worker, e.STARCATCH_WORKER_LIFE),
            roomLeaseMs: e.ROOM_LEASE_MS,
          },
    workers: e.WORKERS,
  };
}

/** `host:pid`: unique per process on a machine, and readable in logs. */
function defaultNodeName(pid: number): string {
  return `${hostname()}:${pid}`;
}

/** A worker's node name: its primary's (NODE_NAME, or `host:<primary pid>`) and `-w<index>`. */
export function workerNodeName(primaryNodeName: string, index: number, life = 0): string {
  // A restarted worker is a new node: its old name's presences and leases belong to the dead one.
  return life === 0 ? `${primaryNodeName}-w${index}` : `${primaryNodeName}-w${index}.${life}`;
}

/**
 * Worker `index`'s slice of the inclusive UDP range `[min, max]` split into `workers` contiguous,
 * non-overlapping slices of equal size; the last one also takes the remainder.
 */
export function workerPortRange(
  [min, max]: readonly [number, number],
  workers: number,
  index: number,
): [number, number] {
  const size = Math.floor((max - min + 1) / workers);
  const first = min + index * size;
  return [first, index === workers - 1 ? max : first + size - 1];
}
