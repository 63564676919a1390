import { z } from 'zod';

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
  EMPTY_ROOM_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /** The largest room a player may create (at most 16). */
  MAX_PLAYERS_LIMIT: z.coerce.number().int().min(1).max(16).default(16),
  /** Comma-separated origins allowed to open the socket; unset allows any. */
  ALLOWED_ORIGINS: z.string().optional(),
  /** Close sockets that sent nothing for this long; clients heartbeat every 30 s. */
  SOCKET_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  SOCKET_MAX_FRAME_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(128 * 1024),
  SOCKET_MAX_CHANNELS: z.coerce.number().int().positive().default(100),
  /** The built client to serve; unset serves nothing (use the Vite dev server). */
  CLIENT_DIST: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
  readonly clientDist: string | undefined;
  readonly logLevel: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads the environment; throws `ConfigError` listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
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
    clientDist: e.CLIENT_DIST,
    logLevel: e.LOG_LEVEL,
  };
}
