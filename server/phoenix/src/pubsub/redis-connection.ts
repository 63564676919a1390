import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/** How long `RedisPubSub.connect` waits for Redis before giving up; also bounds each connect attempt. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** First pause before reconnecting after a lost connection; it doubles on each failed attempt… */
export const DEFAULT_RECONNECT_MIN_DELAY_MS = 100;
/** …up to this cap, so a node finds Redis again within about this long of its return. */
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 2_000;

export interface RedisConnectionOptions {
  readonly url: string;
  /** Shown by `CLIENT LIST`, to tell the nodes' connections apart. */
  readonly name: string;
  readonly connectTimeoutMs: number;
  readonly reconnectMinDelayMs: number;
  readonly reconnectMaxDelayMs: number;
  readonly logger: Logger;
}

/** Capped exponential backoff: min, 2·min, 4·min, … max. `attempt` starts at 1. */
export function reconnectDelay(attempt: number, minDelayMs: number, maxDelayMs: number): number {
  return Math.min(minDelayMs * 2 ** Math.min(attempt - 1, 30), maxDelayMs);
}

/**
 * An ioredis connection that never gives up reconnecting and never queues commands while it is
 * down (they fail at once instead, so an outage cannot grow memory without bound). Errors are
 * logged at debug level only: the owner reports an outage once, from the connection's state.
 */
export function openRedis(options: RedisConnectionOptions): Redis {
  const redis = new Redis(options.url, {
    connectionName: options.name,
    connectTimeout: options.connectTimeoutMs,
    enableOfflineQueue: false,
    // RedisPubSub subscribes again itself, so that it knows when that is done.
    autoResubscribe: false,
    retryStrategy: (attempt) => reconnectDelay(attempt, options.reconnectMinDelayMs, options.reconnectMaxDelayMs),
  });
  // Without a listener an 'error' event would crash the process.
  redis.on('error', (error: unknown) => options.logger.debug({ err: error, connection: options.name }, 'Redis error'));
  return redis;
}

/** QUIT when connected (pending replies arrive first), otherwise drop the socket and stop retrying. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // Lost meanwhile: fall through.
    }
  }
  redis.disconnect();
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
