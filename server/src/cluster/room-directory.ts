import type { RoomSummary } from '@starcatch/shared';
import type { Redis } from 'ioredis';

/**
 * The room list every node shows: one Redis hash (`<prefix>rooms`, room id → summary JSON), written
 * only by each room's host on every change. Any node reads it for the lobby, the REST list and
 * quick play, so a room created on one node is listed on all of them at once.
 */
export class RoomDirectory {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#key = `${prefix}rooms`;
  }

  async put(room: RoomSummary): Promise<void> {
    await this.#redis.hset(this.#key, room.id, JSON.stringify(room));
  }

  async putAll(rooms: readonly RoomSummary[]): Promise<void> {
    if (rooms.length === 0) return;
    await this.#redis.hset(this.#key, Object.fromEntries(rooms.map((room) => [room.id, JSON.stringify(room)])));
  }

  async remove(roomId: string): Promise<void> {
    await this.#redis.hdel(this.#key, roomId);
  }

  async get(roomId: string): Promise<RoomSummary | undefined> {
    const json = await this.#redis.hget(this.#key, roomId);
    return json === null ? undefined : (JSON.parse(json) as RoomSummary);
  }

  /** Every listed room, oldest id order is not kept: callers sort if they care. */
  async list(): Promise<RoomSummary[]> {
    const all = await this.#redis.hgetall(this.#key);
    return Object.values(all).map((json) => JSON.parse(json) as RoomSummary);
  }
}
