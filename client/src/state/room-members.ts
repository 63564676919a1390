import { type PresenceMeta, toOnlineUsers } from './online-users.ts';

/** One player in a room's member list, however many of their tabs are in it. */
export interface RoomMember {
  readonly id: string;
  readonly nickname: string;
  readonly color: string;
  /** Tabs of this player in the room (presence metas). */
  readonly tabs: number;
}

/** Folds a room's presence into its member list: one entry per user, sorted like the online list. */
export function toRoomMembers(entries: Iterable<readonly [string, readonly PresenceMeta[]]>): RoomMember[] {
  return toOnlineUsers(entries).map(({ id, nickname, color, tabs }) => ({ id, nickname, color, tabs }));
}
