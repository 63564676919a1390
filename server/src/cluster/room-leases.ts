import type { Redis } from 'ioredis';

/**
 * How long a room's lease lasts without renewal. The host renews it every third of that, so a
 * host that dies frees its rooms at most this long after its last renewal; another node then
 * claims them (well inside the 10 s takeover budget with the default).
 */
export const DEFAULT_ROOM_LEASE_MS = 5_000;

const leaseKey = (prefix: string, roomId: string): string => `${prefix}room:${roomId}:host`;

// Renew or give back only a lease we still hold: a lease that expired and was claimed by another
// node must not be extended or deleted by the old holder.
const RENEW_IF_MINE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_IF_MINE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Which node simulates each room: one Redis key per room (`<prefix>room:<id>:host` = node name)
 * with a time-to-live. `SET NX` makes a claim atomic, so exactly one node hosts a room at a time.
 */
export class RoomLeases {
  readonly #redis: Redis;
  readonly #node: string;
  readonly #ttlMs: number;
  readonly #prefix: string;

  constructor(redis: Redis, node: string, ttlMs: number, prefix: string) {
    this.#redis = redis;
    this.#node = node;
    this.#ttlMs = ttlMs;
    this.#prefix = prefix;
  }

  /** Takes the room if nobody holds it; true when this node now holds it. */
  async claim(roomId: string): Promise<boolean> {
    const result = await this.#redis.set(leaseKey(this.#prefix, roomId), this.#node, 'PX', this.#ttlMs, 'NX');
    return result === 'OK';
  }

  /** Extends this node's lease; false when it has lost it (expired, or claimed by another node). */
  async renew(roomId: string): Promise<boolean> {
    const renewed = await this.#redis.eval(RENEW_IF_MINE, 1, leaseKey(this.#prefix, roomId), this.#node, this.#ttlMs);
    return renewed === 1;
  }

  async release(roomId: string): Promise<void> {
    await this.#redis.eval(RELEASE_IF_MINE, 1, leaseKey(this.#prefix, roomId), this.#node);
  }

  /** The node holding the room's lease, or null when nobody does. */
  holder(roomId: string): Promise<string | null> {
    return this.#redis.get(leaseKey(this.#prefix, roomId));
  }

  /** The holders of many rooms at once (one round trip). */
  async holders(roomIds: readonly string[]): Promise<Map<string, string | null>> {
    if (roomIds.length === 0) return new Map();
    const values = await this.#redis.mget(...roomIds.map((id) => leaseKey(this.#prefix, id)));
    return new Map(roomIds.map((id, index) => [id, values[index] ?? null]));
  }
}
