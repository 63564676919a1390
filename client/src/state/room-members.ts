import { PlayerTransport } from '@starcatch/shared';
import { type PresenceMeta, toOnlineUsers } from './online-users.ts';

/** One player in a room's member list, however many of their tabs are in it. */
export interface RoomMember {
  readonly id: string;
  readonly nickname: string;
  readonly color: string;
  /** Tabs of this player in the room (presence metas). */
  readonly tabs: number;
  /** The path each tab's game traffic takes now, as the server routes it (one per tab). */
  readonly transports: readonly PlayerTransport[];
}

/** Folds a room's presence into its member list: one entry per user, sorted like the online list. */
export function toRoomMembers(entries: Iterable<readonly [string, readonly PresenceMeta[]]>): RoomMember[] {
  const metasById = new Map(entries);
  return toOnlineUsers(metasById).map(({ id, nickname, color, tabs }) => ({
    id,
    nickname,
    color,
    tabs,
    transports: (metasById.get(id) ?? []).map((meta) => transportOf(meta)),
  }));
}

/** Room metas carry `transport`; anything else (an older server, a bad value) counts as the WebSocket. */
function transportOf(meta: PresenceMeta): PlayerTransport {
  const { transport } = meta as PresenceMeta & { transport?: unknown };
  return transport === PlayerTransport.webrtc ? PlayerTransport.webrtc : PlayerTransport.websocket;
}
