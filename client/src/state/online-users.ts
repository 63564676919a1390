import type { PresenceMetaFields } from '@starcatch/shared';

/** One player in the "who is online" list, however many tabs they have open. */
export interface OnlineUser {
  readonly id: string;
  readonly nickname: string;
  readonly color: string;
  /** How many tabs (presence metas) the user has in the lobby. */
  readonly tabs: number;
  /** When the user's oldest tab came online, in milliseconds since the epoch. */
  readonly onlineSince: number;
}

/** A presence meta as it arrives: our fields plus the `phx_ref` Phoenix adds per tab. */
export interface PresenceMeta extends PresenceMetaFields {
  readonly phx_ref: string;
}

/** Used when a meta carries something other than `#rrggbb`, so a bad value never reaches CSS. */
export const FALLBACK_COLOR = '#9aa4c7';

const HEX_COLOR = /^#[0-9a-f]{6}$/i;

/** The colour itself when it is `#rrggbb`, else the fallback: only checked colours reach CSS. */
export function playerColor(color: string): string {
  return HEX_COLOR.test(color) ? color : FALLBACK_COLOR;
}

/**
 * Folds presence entries (user id → one meta per tab) into the online list: one entry per user,
 * sorted by nickname so the list does not jump around as people come and go.
 */
export function toOnlineUsers(entries: Iterable<readonly [string, readonly PresenceMeta[]]>): OnlineUser[] {
  const users: OnlineUser[] = [];
  for (const [id, metas] of entries) {
    const first = metas[0];
    if (!first) continue;
    users.push({
      id,
      nickname: first.nickname,
      color: playerColor(first.color),
      tabs: metas.length,
      onlineSince: Math.min(...metas.map((meta) => meta.online_at)),
    });
  }
  return users.sort(byNickname);
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

function byNickname(a: OnlineUser, b: OnlineUser): number {
  return collator.compare(a.nickname, b.nickname) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
