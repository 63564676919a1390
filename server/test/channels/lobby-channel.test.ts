import type { PresenceState } from '@starcatch/phoenix';
import { BroadcastProbe, connectTestClient } from '@starcatch/phoenix/testing';
import type { ChatMessage, RoomSummary } from '@starcatch/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RoomRegistry } from '../../src/rooms/room-registry.ts';
import { ada, bo, type GameSocket, gameSocket } from './game-socket.ts';

describe('lobby channel', () => {
  let game: GameSocket;

  beforeEach(async () => {
    game = await gameSocket();
  });
  afterEach(() => game.dispose());

  it('replies with the room list and chat history, then pushes the complete presence state', async () => {
    const room = game.rooms.open({ id: RoomRegistry.newId(), name: 'Nebula', maxPlayers: 4 });
    const client = connectTestClient(game.socket, { user: ada });
    const { response } = await client.subscribeAndJoin('lobby');
    expect(response).toEqual({ rooms: [room], history: [] });
    const state = (await client.assertPush('presence_state')) as PresenceState;
    expect(Object.keys(state)).toEqual([ada.id]);
    expect(state[ada.id]?.metas[0]).toMatchObject({ nickname: 'Ada', color: '#ff6b6b' });
  });

  it('shows a user with two tabs as one key with two metas, online until the last tab closes', async () => {
    const probe = new BroadcastProbe(game.socket, 'lobby');
    const tab1 = connectTestClient(game.socket, { user: ada });
    const tab2 = connectTestClient(game.socket, { user: ada });
    const other = connectTestClient(game.socket, { user: bo });
    await tab1.subscribeAndJoin('lobby');
    await tab2.subscribeAndJoin('lobby');
    await other.subscribeAndJoin('lobby');
    const state = (await other.assertPush('presence_state')) as PresenceState;
    expect(state[ada.id]?.metas).toHaveLength(2);

    tab1.disconnect();
    await probe.assertBroadcast('presence_diff', { joins: {} });
    expect(game.socket.presence.list('lobby')[ada.id]?.metas).toHaveLength(1);

    tab2.disconnect();
    await probe.assertBroadcast('presence_diff', (diff) => ada.id in (diff as { leaves: object }).leaves);
    expect(game.socket.presence.list('lobby')[ada.id]).toBeUndefined();
  });

  it('stores a chat message, then replies with it and broadcasts it to everyone', async () => {
    const sender = connectTestClient(game.socket, { user: ada });
    const reader = connectTestClient(game.socket, { user: bo });
    await sender.subscribeAndJoin('lobby');
    await reader.subscribeAndJoin('lobby');
    const ref = sender.push('lobby', 'chat:send', { body: '  hello <b>all</b>  ' });
    const { message } = (await sender.assertReply(ref, 'ok')) as { message: ChatMessage };
    expect(message).toMatchObject({ user_id: ada.id, nickname: 'Ada', body: 'hello <b>all</b>' });
    expect(await reader.assertPush('chat:message')).toEqual(message);
    expect(await game.storage.recentChatMessages('lobby', 5)).toEqual([message]);
  });

  it('refuses empty and oversized chat messages with a reason, storing nothing', async () => {
    const client = connectTestClient(game.socket, { user: ada });
    await client.subscribeAndJoin('lobby');
    await client.assertReply(client.push('lobby', 'chat:send', { body: '   ' }), 'error', {
      reason: 'invalid_message',
    });
    await client.assertReply(client.push('lobby', 'chat:send', { body: 'x'.repeat(501) }), 'error', {
      reason: 'invalid_message',
    });
    await client.assertReply(client.push('lobby', 'chat:send', { text: 'wrong field' }), 'error', {
      reason: 'invalid_message',
    });
    expect(await game.storage.recentChatMessages('lobby', 5)).toEqual([]);
  });

  it('catches up from last_seen_id on rejoin', async () => {
    const client = connectTestClient(game.socket, { user: ada });
    await client.subscribeAndJoin('lobby');
    const ids: number[] = [];
    for (const body of ['one', 'two', 'three']) {
      const reply = (await client.assertReply(client.push('lobby', 'chat:send', { body }), 'ok')) as {
        message: ChatMessage;
      };
      ids.push(reply.message.id);
    }
    const again = connectTestClient(game.socket, { user: ada });
    const { response } = await again.subscribeAndJoin('lobby', { last_seen_id: ids[0] });
    expect((response as { history: ChatMessage[] }).history.map((m) => m.body)).toEqual(['two', 'three']);
  });

  it('creates a room: replies with it and broadcasts room_created to the lobby', async () => {
    const creator = connectTestClient(game.socket, { user: ada });
    const watcher = connectTestClient(game.socket, { user: bo });
    await creator.subscribeAndJoin('lobby');
    await watcher.subscribeAndJoin('lobby');
    const ref = creator.push('lobby', 'room:create', { name: ' Orion ', max_players: 4 });
    const { room } = (await creator.assertReply(ref, 'ok')) as { room: RoomSummary };
    expect(room).toMatchObject({ name: 'Orion', max_players: 4, players: 0, state: 'waiting' });
    expect(await watcher.assertPush('room_created')).toEqual(room);
  });

  it('refuses a room with a bad name or size', async () => {
    const client = connectTestClient(game.socket, { user: ada });
    await client.subscribeAndJoin('lobby');
    for (const request of [
      { name: '', max_players: 4 },
      { name: 'ok', max_players: 17 },
      { name: 'ok', max_players: 2.5 },
    ]) {
      await client.assertReply(client.push('lobby', 'room:create', request), 'error', { reason: 'invalid_room' });
    }
    expect(game.rooms.list()).toEqual([]);
  });

  it('quick play picks the fullest room with a free slot, else opens a new one', async () => {
    const client = connectTestClient(game.socket, { user: ada });
    await client.subscribeAndJoin('lobby');
    const first = (await client.assertReply(client.push('lobby', 'room:quick_play'), 'ok')) as { room: RoomSummary };
    expect(first.room).toMatchObject({ name: 'Quick play', max_players: 8, players: 0 });
    const member = connectTestClient(game.socket, { user: bo });
    await member.subscribeAndJoin(`room:${first.room.id}`);
    const second = (await client.assertReply(client.push('lobby', 'room:quick_play'), 'ok')) as { room: RoomSummary };
    expect(second.room.id).toBe(first.room.id);
    expect(game.rooms.list()).toHaveLength(1);
  });

  it('shares one chat budget per user between the lobby and the rooms', async () => {
    const client = connectTestClient(game.socket, { user: ada });
    await client.subscribeAndJoin('lobby');
    // The test socket allows a burst of 5 messages.
    for (let i = 0; i < 5; i++) await client.assertReply(client.push('lobby', 'chat:send', { body: `m${i}` }), 'ok');
    await client.assertReply(client.push('lobby', 'chat:send', { body: 'one too many' }), 'error', {
      reason: 'rate_limited',
    });
    const room = game.rooms.open({ id: RoomRegistry.newId(), name: 'Budget', maxPlayers: 4 });
    await client.subscribeAndJoin(`room:${room.id}`);
    await client.assertReply(client.push(`room:${room.id}`, 'chat:send', { body: 'still too many' }), 'error', {
      reason: 'rate_limited',
    });
  });
});
