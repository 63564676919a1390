import { ChatEvent, type ChatMessage, ErrorCode, validateChatBody } from '@starcatch/shared';
import type { Channel } from 'phoenix';
import { lastSeenId, mergeMessages } from '../state/chat-log.ts';
import type { ChatStore } from '../state/chat-store.ts';
import {
  addPending,
  type ChatScope,
  dropScope,
  markFailed,
  markSending,
  removePending,
  settleArrivals,
} from '../state/pending-chat.ts';
import { chatSendReply, isChatMessage } from './channel-payloads.ts';
import { ChannelRequestError } from './channel-request-error.ts';

export interface ChatFeedOptions {
  readonly channel: Channel;
  readonly scope: ChatScope;
  readonly chat: ChatStore;
  /** The signed-in user, to recognise our own messages when settling unanswered sends. */
  readonly userId: string;
  readonly sendTimeoutMs: number;
  /** Epoch milliseconds with sub-millisecond precision; stamps `receivedAt`. */
  readonly now: () => number;
  /** A tab-unique id for a pending message. */
  readonly makeLocalId: () => string;
}

/** Told to the player when a send gets no reply and may or may not have been stored. */
export const UNANSWERED_SEND = 'No answer from the server, so it may not have arrived.';
/** Told to the player when a send never left this tab: the socket stayed down through two rounds. */
export const UNSENT_SEND = 'Not sent: the server could not be reached.';
/**
 * Told to the player when the server answered `storage_unavailable`: its database is down or full
 * for now, so the message was not stored. Retry sends it again once the database is back.
 */
export const UNSAVED_SEND = 'The server could not save this message right now.';

interface Settle {
  resolve(message: ChatMessage): void;
  reject(error: ChannelRequestError): void;
}

/**
 * The chat of one channel (`lobby` or `room:<id>`): merges broadcasts and join histories into the
 * chat store by id, and sends messages so that none is lost silently. Each send is a pending
 * message in the store until its `ok`; on `error` it is marked failed; on no reply it is either
 * sent once more (when it provably never left phoenix.js's buffer, so it cannot have been stored)
 * or marked failed as "may not have arrived", and then settled by its own arrival if it did.
 */
export class ChatFeed {
  readonly #options: ChatFeedOptions;
  /** Whether the channel is joined, as far as its join replies and errors tell. */
  #joined = false;
  /** Counts successful joins: a push made before one and timed out after it did leave the buffer. */
  #joins = 0;
  #closed = false;
  readonly #waiting = new Map<string, Settle>();

  constructor(options: ChatFeedOptions) {
    this.#options = options;
    options.channel.on(ChatEvent.message, (payload: unknown) => {
      if (isChatMessage(payload)) this.#arrived([payload]);
    });
  }

  /** The newest message id this tab holds, for `last_seen_id` in the rejoin params. */
  get lastSeenId(): number | undefined {
    return lastSeenId(this.#options.chat.getState()[this.#options.scope]);
  }

  /** A join (or rejoin) succeeded with this history. */
  joined(history: readonly ChatMessage[]): void {
    this.#joined = true;
    this.#joins++;
    this.#arrived(history);
  }

  /** The channel errored (socket dropped): pushes from now on wait in phoenix.js's buffer. */
  dropped(): void {
    this.#joined = false;
  }

  /** Sends a message; resolves with it once stored, rejects with the reason it was not. */
  send(text: string): Promise<ChatMessage> {
    if (this.#closed) return Promise.reject(new ChannelRequestError('closed', 'This chat is closed.'));
    const checked = validateChatBody(text);
    if (!checked.ok) return Promise.reject(new ChannelRequestError(ErrorCode.invalidMessage, checked.message));
    const { scope, chat, makeLocalId, now } = this.#options;
    const localId = makeLocalId();
    chat.setState((state) => ({
      pending: addPending(state.pending, {
        localId,
        scope,
        body: checked.body,
        status: 'sending',
        error: null,
        maybeDelivered: false,
        afterId: this.lastSeenId ?? 0,
        sentAt: now(),
      }),
    }));
    return this.#track(localId, checked.body);
  }

  /** Sends a failed message again (the player pressed Retry). */
  retry(localId: string): Promise<ChatMessage> {
    const entry = this.#options.chat.getState().pending.find((p) => p.localId === localId);
    if (!entry || entry.scope !== this.#options.scope || entry.status !== 'failed') {
      return Promise.reject(new ChannelRequestError('closed', 'That message is no longer waiting to be sent.'));
    }
    this.#options.chat.setState((state) => ({
      pending: markSending(state.pending, localId, this.lastSeenId ?? 0, this.#options.now()),
    }));
    return this.#track(localId, entry.body);
  }

  /** Forgets a failed message (the player pressed Discard). */
  discard(localId: string): void {
    this.#options.chat.setState((state) => ({ pending: removePending(state.pending, localId) }));
  }

  /** The channel is gone: its log is emptied, its pending messages dropped and their promises rejected. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const { chat, scope } = this.#options;
    chat.setState((state) => ({ [scope]: [], pending: dropScope(state.pending, scope) }));
    for (const settle of this.#waiting.values())
      settle.reject(new ChannelRequestError('closed', 'The chat closed first.'));
    this.#waiting.clear();
  }

  #track(localId: string, body: string): Promise<ChatMessage> {
    return new Promise<ChatMessage>((resolve, reject) => {
      this.#waiting.set(localId, { resolve, reject });
      this.#push(localId, body, 1);
    });
  }

  #push(localId: string, body: string, resendsLeft: number): void {
    const { channel, chat, sendTimeoutMs } = this.#options;
    const leftAtOnce = this.#joined;
    const joinsBefore = this.#joins;
    channel
      .push(ChatEvent.send, { body }, sendTimeoutMs)
      .receive('ok', (reply: unknown) => {
        const message = chatSendReply(reply);
        if (message === null) {
          this.#fail(localId, new ChannelRequestError('bad_reply', UNANSWERED_SEND), true);
          return;
        }
        this.#arrived([message]);
        chat.setState((state) => ({ pending: removePending(state.pending, localId) }));
        this.#settle(localId)?.resolve(message);
      })
      .receive('error', (reply: unknown) => {
        const refused = ChannelRequestError.fromReply(reply, 'The server refused the message.');
        // Surely not stored: an outage of the server's database (our words), or a refusal (its words).
        this.#fail(
          localId,
          refused.reason === ErrorCode.storageUnavailable
            ? new ChannelRequestError(refused.reason, UNSAVED_SEND)
            : refused,
          false,
        );
      })
      .receive('timeout', () => {
        if (this.#closed) return;
        // Sent at once, or flushed by a rejoin since: it reached the socket, the server may have it.
        const mayHaveLeft = leftAtOnce || this.#joins !== joinsBefore;
        if (!mayHaveLeft && resendsLeft > 0) {
          this.#push(localId, body, resendsLeft - 1);
          return;
        }
        this.#fail(
          localId,
          new ChannelRequestError('timeout', mayHaveLeft ? UNANSWERED_SEND : UNSENT_SEND),
          mayHaveLeft,
        );
      });
  }

  #fail(localId: string, error: ChannelRequestError, maybeDelivered: boolean): void {
    if (this.#closed) return;
    this.#options.chat.setState((state) => ({
      pending: markFailed(state.pending, localId, error.message, maybeDelivered),
    }));
    this.#settle(localId)?.reject(error);
  }

  #settle(localId: string): Settle | undefined {
    const settle = this.#waiting.get(localId);
    this.#waiting.delete(localId);
    return settle;
  }

  #arrived(messages: readonly ChatMessage[]): void {
    if (this.#closed || messages.length === 0) return;
    const { chat, scope, userId, now } = this.#options;
    const receivedAt = now();
    chat.setState((state) => {
      const log = mergeMessages(state[scope], messages, receivedAt);
      const pending = settleArrivals(state.pending, scope, messages, userId);
      if (log === state[scope] && pending === state.pending) return state;
      return { [scope]: log, pending };
    });
  }
}
