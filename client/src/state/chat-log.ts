import type { ChatMessage } from '@starcatch/shared';

/** A chat message as this tab holds it: the stored message and when this tab first got it. */
export interface ChatEntry extends ChatMessage {
  /**
   * Epoch milliseconds (`performance.timeOrigin + performance.now()`, so sub-millisecond) of the
   * first arrival here, by broadcast, reply or join history. The e2e suite measures tab-to-tab
   * delivery with it; a message that arrives again keeps its first time.
   */
  readonly receivedAt: number;
}

/**
 * How many messages a tab keeps per chat. Four times what a join reply carries, so a long session
 * does not grow without bound but a reconnect catch-up (up to 200 on the server) still fits.
 */
export const CHAT_LOG_LIMIT = 200;

/**
 * Adds messages to a log: one entry per id, ordered by id (the server's order of storage), at most
 * `limit` of the newest. A reconnect replays what the tab may already have (join history, a
 * broadcast racing its own reply), so duplicates are expected and dropped here. Returns the same
 * array when nothing was new, so subscribers can tell nothing changed.
 */
export function mergeMessages(
  log: readonly ChatEntry[],
  incoming: readonly ChatMessage[],
  receivedAt: number,
  limit: number = CHAT_LOG_LIMIT,
): readonly ChatEntry[] {
  const known = new Set(log.map((entry) => entry.id));
  const fresh: ChatEntry[] = [];
  for (const message of incoming) {
    if (known.has(message.id)) continue;
    known.add(message.id);
    fresh.push({ ...message, receivedAt });
  }
  if (fresh.length === 0) return log;
  const last = log.at(-1)?.id ?? Number.NEGATIVE_INFINITY;
  const merged = [...log, ...fresh];
  // Live traffic only appends; history after a reconnect may interleave.
  if (fresh.some((entry) => entry.id < last) || !isAscending(fresh)) merged.sort((a, b) => a.id - b.id);
  return merged.length > limit ? merged.slice(merged.length - limit) : merged;
}

/** The newest id in a log, for `last_seen_id` on a rejoin; undefined for an empty log. */
export function lastSeenId(log: readonly ChatEntry[]): number | undefined {
  return log.at(-1)?.id;
}

function isAscending(entries: readonly ChatEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) if ((entries[i]?.id ?? 0) < (entries[i - 1]?.id ?? 0)) return false;
  return true;
}
