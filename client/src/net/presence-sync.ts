import { PresenceEvent } from '@starcatch/shared';
import { type Channel, Presence } from 'phoenix';
import type { PresenceMeta } from '../state/online-users.ts';

/** One presence key (a user id) with a meta per tab. */
export type PresenceEntry = readonly [string, PresenceMeta[]];

/**
 * Follows a channel's Presence with phoenix.js (`presence_state` then `presence_diff`, under the
 * event names in `shared/`) and hands every synced list to `listener` as `[key, metas]` entries.
 */
export function followPresence(channel: Channel, listener: (entries: PresenceEntry[]) => void): void {
  const presence = new Presence(channel, { events: PresenceEvent });
  presence.onSync(() => {
    listener(presence.list((id: string, { metas }: { metas: PresenceMeta[] }) => [id, metas] as const));
  });
}
