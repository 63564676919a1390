import type { ChatMessage } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import {
  addPending,
  dropScope,
  markFailed,
  markSending,
  type PendingChat,
  removePending,
  settleArrivals,
} from '../src/state/pending-chat.ts';

function pending(localId: string, overrides: Partial<PendingChat> = {}): PendingChat {
  return {
    localId,
    scope: 'lobby',
    body: 'hello',
    status: 'sending',
    error: null,
    maybeDelivered: false,
    afterId: 10,
    sentAt: 1,
    ...overrides,
  };
}

function arrival(id: number, overrides: Partial<ChatMessage> = {}): ChatMessage {
  return { id, user_id: 'me', nickname: 'Me', body: 'hello', inserted_at: '2025-01-01T00:00:00Z', ...overrides };
}

describe('pending chat messages', () => {
  it('go from sending to failed and back on retry, and leave when confirmed', () => {
    let list = addPending([], pending('a'));
    list = markFailed(list, 'a', 'No answer', true);
    expect(list[0]).toMatchObject({ status: 'failed', error: 'No answer', maybeDelivered: true });
    list = markSending(list, 'a', 12, 5);
    expect(list[0]).toMatchObject({ status: 'sending', error: null, maybeDelivered: false, afterId: 12, sentAt: 5 });
    expect(removePending(list, 'a')).toEqual([]);
    expect(removePending(list, 'nope')).toBe(list);
  });

  it('settles a failed message that may have been stored when it turns up from us, newer than the send', () => {
    const list = [pending('a', { status: 'failed', maybeDelivered: true })];
    // Older than the send, someone else's, another chat, another body: not it.
    expect(settleArrivals(list, 'lobby', [arrival(10)], 'me')).toEqual(list);
    expect(settleArrivals(list, 'lobby', [arrival(11, { user_id: 'other' })], 'me')).toEqual(list);
    expect(settleArrivals(list, 'room', [arrival(11)], 'me')).toEqual(list);
    expect(settleArrivals(list, 'lobby', [arrival(11, { body: 'bye' })], 'me')).toEqual(list);
    expect(settleArrivals(list, 'lobby', [arrival(11)], 'me')).toEqual([]);
  });

  it('never settles a message that surely was not stored, nor one still sending', () => {
    const list = [pending('a', { status: 'failed', maybeDelivered: false }), pending('b', { status: 'sending' })];
    expect(settleArrivals(list, 'lobby', [arrival(11)], 'me')).toEqual(list);
  });

  it('settles one pending message per arrival, the oldest first', () => {
    const failed = { status: 'failed' as const, maybeDelivered: true };
    const list = [pending('a', failed), pending('b', failed)];
    expect(settleArrivals(list, 'lobby', [arrival(11)], 'me').map((p) => p.localId)).toEqual(['b']);
    expect(settleArrivals(list, 'lobby', [arrival(11), arrival(12)], 'me')).toEqual([]);
  });

  it('drops a whole chat when its channel goes', () => {
    const list = [pending('a'), pending('b', { scope: 'room' })];
    expect(dropScope(list, 'room').map((p) => p.localId)).toEqual(['a']);
    expect(dropScope([pending('a')], 'room')).toEqual([pending('a')]);
  });
});
