import { type AddressLimitSettings, AddressLimits } from './address-limits.ts';
import { KeyedRateLimit, perMinute, type RateLimitOptions } from './keyed-rate-limit.ts';
import type { RoomLimits, RoomPushLimits } from './room-limits.ts';
import type { Clock } from './token-bucket.ts';

/** The settings of every rate limit a process keeps (`config.ts` reads them). */
export interface RateLimitSettings {
  /** Per client address; unset: no per-address limits (a socket that tests drive on their own). */
  readonly addresses?: AddressLimitSettings;
  /** Per user: `input` and `chat:send` pushes. */
  readonly roomPush: RoomPushLimits;
  /** Per user: rooms created; per socket: `room:<id>` joins attempted. */
  readonly rooms: Pick<RoomLimits, 'createsPerUserPerMinute' | 'joinsPerSocketPerMinute'>;
  /** Per user: game messages on either DataChannel, all peers together. */
  readonly dataChannel: RateLimitOptions;
}

/**
 * Every rate limit of one process, each one budget shared by everything that spends it, all on
 * one clock. Each is this process's own: in a cluster every node keeps its own. (The WebRTC
 * signaling budgets are the one exception: `WebRtcSignaling` builds them from its settings, given
 * the same clock.)
 */
export interface RateLimits {
  readonly now: Clock;
  /** Sign-ins, socket connects and room creations per client address, and its open sockets. */
  readonly addresses: AddressLimits | undefined;
  /** Per user: `chat:send` on the lobby and every room together. */
  readonly chat: KeyedRateLimit;
  /** Per user: `input` pushes on `room:<id>` (the WebSocket fallback's game traffic). */
  readonly input: KeyedRateLimit;
  /** Per socket (`connectionId`): `room:<id>` joins, refused ones included. */
  readonly roomJoins: KeyedRateLimit;
  /** Per user: rooms created (`room:create`, and quick play when it opens one). */
  readonly roomCreates: KeyedRateLimit;
  /** Per user: messages on either DataChannel. */
  readonly dataChannel: KeyedRateLimit;
}

/** Builds every rate limit of the process on `now` (default `Date.now`): the one place they are made. */
export function createRateLimits(
  settings: RateLimitSettings & { readonly addresses: AddressLimitSettings },
  now?: Clock,
): RateLimits & { readonly addresses: AddressLimits };
export function createRateLimits(settings: RateLimitSettings, now?: Clock): RateLimits;
export function createRateLimits(settings: RateLimitSettings, now: Clock = Date.now): RateLimits {
  return {
    now,
    addresses: settings.addresses && new AddressLimits(settings.addresses, now),
    chat: new KeyedRateLimit(settings.roomPush.chat, now),
    input: new KeyedRateLimit(settings.roomPush.input, now),
    roomJoins: new KeyedRateLimit(perMinute(settings.rooms.joinsPerSocketPerMinute), now),
    roomCreates: new KeyedRateLimit(perMinute(settings.rooms.createsPerUserPerMinute), now),
    dataChannel: new KeyedRateLimit(settings.dataChannel, now),
  };
}
