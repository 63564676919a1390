import type { ChatMessage } from '@starcatch/shared';

/** Which chat a message belongs to: the lobby's, or the room the tab is in. */
export type ChatScope = 'lobby' | 'room';

/**
 * A message this tab sent that has no `ok` reply yet. `sending`: the push is on its way (or
 * waiting in phoenix.js's buffer for the channel to rejoin). `failed`: the server refused it, or no
 * reply came; the player can retry or discard it. Confirmed messages leave this list for the log.
 */
export type PendingStatus = 'sending' | 'failed';

export interface PendingChat {
  /** Unique within the tab; the Retry and Discard buttons name the message by it. */
  readonly localId: string;
  readonly scope: ChatScope;
  readonly body: string;
  readonly status: PendingStatus;
  /** Why it failed, fit to show the player; null while sending. */
  readonly error: string | null;
  /**
   * True when the push went out but no reply came: the server may have stored it. Such a message
   * is settled by its own arrival (the broadcast, or the history of the rejoin) instead of being
   * sent twice.
   */
  readonly maybeDelivered: boolean;
  /** The newest message id of the chat when it was (last) sent: only later messages can be it. */
  readonly afterId: number;
  /** Epoch milliseconds of the (last) send. */
  readonly sentAt: number;
}

export function addPending(list: readonly PendingChat[], entry: PendingChat): readonly PendingChat[] {
  return [...list, entry];
}

export function removePending(list: readonly PendingChat[], localId: string): readonly PendingChat[] {
  return list.some((entry) => entry.localId === localId) ? list.filter((entry) => entry.localId !== localId) : list;
}

export function markFailed(
  list: readonly PendingChat[],
  localId: string,
  error: string,
  maybeDelivered: boolean,
): readonly PendingChat[] {
  return update(list, localId, (entry) => ({ ...entry, status: 'failed', error, maybeDelivered }));
}

/** A retry: back to `sending`, as if sent now. */
export function markSending(
  list: readonly PendingChat[],
  localId: string,
  afterId: number,
  sentAt: number,
): readonly PendingChat[] {
  return update(list, localId, (entry) => ({
    ...entry,
    status: 'sending',
    error: null,
    maybeDelivered: false,
    afterId,
    sentAt,
  }));
}

/**
 * Settles failed messages that turn out to have been stored: a message of ours in the same chat,
 * with the same body, newer than the send. Each arrival settles at most one pending message, the
 * oldest, so two identical messages both sent and both unanswered need two arrivals.
 */
export function settleArrivals(
  list: readonly PendingChat[],
  scope: ChatScope,
  arrivals: readonly ChatMessage[],
  userId: string,
): readonly PendingChat[] {
  let result = list;
  for (const message of arrivals) {
    if (message.user_id !== userId) continue;
    const match = result.find(
      (entry) =>
        entry.scope === scope &&
        entry.status === 'failed' &&
        entry.maybeDelivered &&
        entry.body === message.body &&
        message.id > entry.afterId,
    );
    if (match) result = result.filter((entry) => entry !== match);
  }
  return result;
}

/** Forgets every pending message of a chat (leaving a room). */
export function dropScope(list: readonly PendingChat[], scope: ChatScope): readonly PendingChat[] {
  return list.some((entry) => entry.scope === scope) ? list.filter((entry) => entry.scope !== scope) : list;
}

function update(
  list: readonly PendingChat[],
  localId: string,
  change: (entry: PendingChat) => PendingChat,
): readonly PendingChat[] {
  return list.map((entry) => (entry.localId === localId ? change(entry) : entry));
}
