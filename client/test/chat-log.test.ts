import type { ChatMessage } from '@starcatch/shared';
import { describe, expect, it } from 'vitest';
import { type ChatEntry, lastSeenId, mergeMessages } from '../src/state/chat-log.ts';

function message(id: number, body = `m${id}`): ChatMessage {
  return { id, user_id: 'u1', nickname: 'Vega', body, inserted_at: '2025-01-01T00:00:00.000Z' };
}

const ids = (log: readonly ChatEntry[]) => log.map((entry) => entry.id);

describe('mergeMessages', () => {
  it('appends live messages and stamps when they arrived', () => {
    const log = mergeMessages(mergeMessages([], [message(1)], 10), [message(2)], 20);
    expect(ids(log)).toEqual([1, 2]);
    expect(log.map((entry) => entry.receivedAt)).toEqual([10, 20]);
  });

  it('drops messages it already has, keeping the first arrival time, and returns the same log', () => {
    const log = mergeMessages([], [message(1), message(2)], 10);
    const again = mergeMessages(log, [message(2), message(1)], 99);
    expect(again).toBe(log);
    // A broadcast racing its own reply, or history replayed after a reconnect.
    const mixed = mergeMessages(log, [message(2), message(3), message(3)], 30);
    expect(ids(mixed)).toEqual([1, 2, 3]);
    expect(mixed[1]?.receivedAt).toBe(10);
  });

  it('orders by id whatever order the messages come in', () => {
    const log = mergeMessages([], [message(5), message(7)], 1);
    expect(ids(mergeMessages(log, [message(6), message(2)], 2))).toEqual([2, 5, 6, 7]);
    expect(ids(mergeMessages([], [message(3), message(1), message(2)], 1))).toEqual([1, 2, 3]);
  });

  it('keeps only the newest `limit` messages', () => {
    const log = mergeMessages(
      [],
      [1, 2, 3, 4, 5].map((id) => message(id)),
      1,
      3,
    );
    expect(ids(log)).toEqual([3, 4, 5]);
    expect(ids(mergeMessages(log, [message(6)], 2, 3))).toEqual([4, 5, 6]);
  });

  it('names the last id seen for a rejoin', () => {
    expect(lastSeenId([])).toBeUndefined();
    expect(lastSeenId(mergeMessages([], [message(4), message(9)], 1))).toBe(9);
  });
});
