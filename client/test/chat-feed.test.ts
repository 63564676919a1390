import { ChatEvent, type ChatMessage } from '@starcatch/shared';
import type { Channel } from 'phoenix';
import { describe, expect, it } from 'vitest';
import { ChatFeed, UNANSWERED_SEND, UNSAVED_SEND, UNSENT_SEND } from '../src/net/chat-feed.ts';
import { createChatStore } from '../src/state/chat-store.ts';

type Status = 'ok' | 'error' | 'timeout';

/** A push whose reply the test decides. */
class FakePush {
  readonly hooks = new Map<Status, (response?: unknown) => void>();
  readonly event: string;
  readonly payload: object;
  constructor(event: string, payload: object) {
    this.event = event;
    this.payload = payload;
  }
  receive(status: Status, callback: (response?: unknown) => void): this {
    this.hooks.set(status, callback);
    return this;
  }
  reply(status: Status, response?: unknown): void {
    this.hooks.get(status)?.(response);
  }
}

/** The part of a phoenix.js channel `ChatFeed` uses. */
class FakeChannel {
  readonly pushes: FakePush[] = [];
  readonly handlers = new Map<string, (payload: unknown) => void>();
  on(event: string, callback: (payload: unknown) => void): number {
    this.handlers.set(event, callback);
    return 0;
  }
  push(event: string, payload: object): FakePush {
    const push = new FakePush(event, payload);
    this.pushes.push(push);
    return push;
  }
  broadcast(message: ChatMessage): void {
    this.handlers.get(ChatEvent.message)?.(message);
  }
  get last(): FakePush {
    const push = this.pushes.at(-1);
    if (!push) throw new Error('nothing was pushed');
    return push;
  }
}

function setup() {
  const channel = new FakeChannel();
  const chat = createChatStore();
  let ids = 0;
  let clock = 1000;
  const feed = new ChatFeed({
    channel: channel as unknown as Channel,
    scope: 'lobby',
    chat,
    userId: 'me',
    sendTimeoutMs: 50,
    now: () => clock++,
    makeLocalId: () => `m${++ids}`,
  });
  return { channel, chat, feed };
}

function stored(id: number, body: string, userId = 'me'): ChatMessage {
  return { id, user_id: userId, nickname: 'Me', body, inserted_at: '2025-01-01T00:00:00Z' };
}

describe('ChatFeed', () => {
  it('merges history and broadcasts by id, and asks for the last id it saw', () => {
    const { channel, chat, feed } = setup();
    expect(feed.lastSeenId).toBeUndefined();
    feed.joined([stored(1, 'a'), stored(2, 'b')]);
    channel.broadcast(stored(2, 'b'));
    channel.broadcast(stored(3, 'c'));
    feed.joined([stored(3, 'c'), stored(4, 'd')]);
    expect(chat.getState().lobby.map((m) => m.id)).toEqual([1, 2, 3, 4]);
    expect(feed.lastSeenId).toBe(4);
  });

  it('shows a message as sending until its ok, then only in the log, once', async () => {
    const { channel, chat, feed } = setup();
    feed.joined([]);
    const sent = feed.send('  hello  ');
    expect(channel.last.payload).toEqual({ body: 'hello' });
    expect(chat.getState().pending).toMatchObject([{ body: 'hello', status: 'sending', scope: 'lobby' }]);
    channel.broadcast(stored(7, 'hello'));
    channel.last.reply('ok', { message: stored(7, 'hello') });
    await expect(sent).resolves.toMatchObject({ id: 7 });
    expect(chat.getState().pending).toEqual([]);
    expect(chat.getState().lobby.map((m) => m.id)).toEqual([7]);
  });

  it('refuses an empty or overlong message without sending anything', async () => {
    const { channel, chat, feed } = setup();
    await expect(feed.send('   ')).rejects.toMatchObject({ reason: 'invalid_message' });
    await expect(feed.send('x'.repeat(501))).rejects.toMatchObject({ reason: 'invalid_message' });
    expect(channel.pushes).toHaveLength(0);
    expect(chat.getState().pending).toEqual([]);
  });

  it('marks a refused message failed with the server’s words, and retries it on request', async () => {
    const { channel, chat, feed } = setup();
    feed.joined([]);
    const sent = feed.send('hello');
    channel.last.reply('error', { reason: 'storage_failed', message: 'The message could not be saved; try again.' });
    await expect(sent).rejects.toMatchObject({ reason: 'storage_failed' });
    const [failed] = chat.getState().pending;
    expect(failed).toMatchObject({ status: 'failed', maybeDelivered: false, error: expect.stringContaining('saved') });

    const retried = feed.retry(failed?.localId ?? '');
    expect(chat.getState().pending[0]?.status).toBe('sending');
    expect(channel.pushes).toHaveLength(2);
    channel.last.reply('ok', { message: stored(8, 'hello') });
    await expect(retried).resolves.toMatchObject({ id: 8 });
    expect(chat.getState().pending).toEqual([]);
  });

  it('shows a message the server could not store (storage_unavailable) as failed in words, and Retry resends it', async () => {
    const { channel, chat, feed } = setup();
    feed.joined([stored(3, 'older')]);
    const sent = feed.send('during the outage');
    channel.last.reply('error', { reason: 'storage_unavailable', message: 'server words' });
    await expect(sent).rejects.toMatchObject({ reason: 'storage_unavailable', message: UNSAVED_SEND });
    const [failed] = chat.getState().pending;
    // Surely not stored: not settled by a later arrival, and nothing resent until the player asks.
    expect(failed).toMatchObject({ status: 'failed', error: UNSAVED_SEND, maybeDelivered: false });
    expect(channel.pushes).toHaveLength(1);

    // Still down on the first Retry: failed again, same words.
    const first = feed.retry(failed?.localId ?? '');
    expect(chat.getState().pending[0]?.status).toBe('sending');
    channel.last.reply('error', { reason: 'storage_unavailable', message: 'server words' });
    await expect(first).rejects.toMatchObject({ reason: 'storage_unavailable' });
    expect(chat.getState().pending[0]).toMatchObject({ status: 'failed', error: UNSAVED_SEND });

    // The database is back: the next Retry sends the same body and it lands in the log, once.
    const second = feed.retry(failed?.localId ?? '');
    expect(channel.pushes.map((push) => push.payload)).toEqual([
      { body: 'during the outage' },
      { body: 'during the outage' },
      { body: 'during the outage' },
    ]);
    channel.broadcast(stored(4, 'during the outage'));
    channel.last.reply('ok', { message: stored(4, 'during the outage') });
    await expect(second).resolves.toMatchObject({ id: 4 });
    expect(chat.getState().pending).toEqual([]);
    expect(chat.getState().lobby.map((m) => m.body)).toEqual(['older', 'during the outage']);
  });

  it('keeps the server’s own words for storage_failed', async () => {
    const { channel, chat, feed } = setup();
    feed.joined([]);
    const sent = feed.send('hello');
    channel.last.reply('error', { reason: 'storage_failed', message: 'The message could not be saved; try again.' });
    await expect(sent).rejects.toMatchObject({ reason: 'storage_failed' });
    expect(chat.getState().pending[0]?.error).toBe('The message could not be saved; try again.');
  });

  it('sends once more a message that never left the buffer, and delivers it after the rejoin', async () => {
    const { channel, chat, feed } = setup();
    feed.joined([]);
    feed.dropped();
    const sent = feed.send('typed while offline');
    channel.last.reply('timeout');
    // Still sending, as a fresh push; the first one can no longer go out (phoenix.js skips it).
    expect(channel.pushes).toHaveLength(2);
    expect(chat.getState().pending[0]?.status).toBe('sending');
    feed.joined([]);
    channel.last.reply('ok', { message: stored(9, 'typed while offline') });
    await expect(sent).resolves.toMatchObject({ id: 9 });
    expect(chat.getState().lobby.map((m) => m.body)).toEqual(['typed while offline']);
  });

  it('reports a message that never left the buffer as failed after its second round', async () => {
    const { channel, chat, feed } = setup();
    feed.dropped();
    const sent = feed.send('hello');
    channel.last.reply('timeout');
    channel.last.reply('timeout');
    await expect(sent).rejects.toMatchObject({ reason: 'timeout', message: UNSENT_SEND });
    expect(chat.getState().pending[0]).toMatchObject({ status: 'failed', maybeDelivered: false });
    expect(channel.pushes).toHaveLength(2);
  });

  it('does not resend a message that went out unanswered; its own arrival settles it', async () => {
    const { channel, chat, feed } = setup();
    feed.joined([stored(3, 'older')]);
    const sent = feed.send('hello');
    feed.dropped();
    channel.last.reply('timeout');
    await expect(sent).rejects.toMatchObject({ reason: 'timeout', message: UNANSWERED_SEND });
    expect(channel.pushes).toHaveLength(1);
    expect(chat.getState().pending[0]).toMatchObject({ status: 'failed', maybeDelivered: true, afterId: 3 });
    // The rejoin's catch-up shows the server had stored it after all.
    feed.joined([stored(4, 'hello')]);
    expect(chat.getState().pending).toEqual([]);
    expect(chat.getState().lobby.map((m) => m.id)).toEqual([3, 4]);
  });

  it('counts a push flushed by a rejoin as gone out, even if it waited in the buffer', async () => {
    const { channel, chat, feed } = setup();
    feed.dropped();
    const sent = feed.send('hello');
    feed.joined([]);
    channel.last.reply('timeout');
    await expect(sent).rejects.toMatchObject({ message: UNANSWERED_SEND });
    expect(chat.getState().pending[0]?.maybeDelivered).toBe(true);
    expect(channel.pushes).toHaveLength(1);
  });

  it('drops its log and pending messages on close and rejects what is still waiting', async () => {
    const { chat, feed } = setup();
    feed.joined([stored(1, 'a')]);
    const sent = feed.send('hello');
    feed.close();
    await expect(sent).rejects.toMatchObject({ reason: 'closed' });
    expect(chat.getState()).toMatchObject({ lobby: [], pending: [] });
    await expect(feed.send('again')).rejects.toMatchObject({ reason: 'closed' });
  });
});
