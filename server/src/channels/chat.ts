import { type ChannelContext, error, ok, type Reply } from '@starcatch/phoenix';
import {
  CHAT_HISTORY_LIMIT,
  type ChannelError,
  ChatEvent,
  type ChatMessage,
  ErrorCode,
  validateChatBody,
} from '@starcatch/shared';
import { z } from 'zod';
import type { KeyedRateLimit } from '../limits/keyed-rate-limit.ts';
import type { Storage } from '../storage/storage.ts';
import { isStorageUnavailable } from '../storage/storage-errors.ts';
import type { SocketAssigns } from './socket-assigns.ts';

/** After a reconnect a client catches up on at most this many missed messages. */
export const CHAT_CATCH_UP_LIMIT = 200;

/** Join params of the chat-carrying channels. */
export const ChatJoinParams = z.object({ last_seen_id: z.number().int().nonnegative().optional() }).loose().nullish();

/**
 * The history a join reply carries: the messages after `last_seen_id` when the client has seen
 * some (reconnect catch-up), else the latest ones. Oldest first.
 */
export function chatHistory(storage: Storage, topic: string, lastSeenId: number | undefined): Promise<ChatMessage[]> {
  return lastSeenId === undefined
    ? storage.recentChatMessages(topic, CHAT_HISTORY_LIMIT)
    : storage.chatMessagesAfter(topic, lastSeenId, CHAT_CATCH_UP_LIMIT);
}

/**
 * `chat:send {body}`: check the sender's budget (one per user, shared by the lobby and every room),
 * validate, store, then reply with the stored message and broadcast it. A storage outage answers
 * `storage_unavailable`, any other storage failure `storage_failed`.
 */
export async function sendChat(
  storage: Storage,
  limit: KeyedRateLimit,
  channel: ChannelContext<SocketAssigns>,
  payload: unknown,
): Promise<Reply> {
  if (limit.check(channel.assigns.user.id) !== 'allowed') {
    return error(channelError(ErrorCode.rateLimited, 'You are sending messages too fast; wait a moment.'));
  }
  const body = validateChatBody((payload as { body?: unknown } | null)?.body);
  if (!body.ok) return error(channelError(ErrorCode.invalidMessage, body.message));
  const { user } = channel.assigns;
  let message: ChatMessage;
  try {
    message = await storage.insertChatMessage({
      topic: channel.topic,
      userId: user.id,
      nickname: user.nickname,
      body: body.body,
    });
  } catch (failure) {
    // An outage (the database is down or full) is told apart from a bug: the client keeps the
    // message as failed with Retry, and a retry succeeds once the database is back.
    if (isStorageUnavailable(failure)) {
      return error(
        channelError(ErrorCode.storageUnavailable, 'The server could not save this message right now; try again.'),
      );
    }
    return error(channelError(ErrorCode.storageFailed, 'The message could not be saved; try again.'));
  }
  channel.broadcast(ChatEvent.message, message);
  return ok({ message });
}

export function channelError(reason: ErrorCode, message: string): ChannelError {
  return { reason, message };
}
