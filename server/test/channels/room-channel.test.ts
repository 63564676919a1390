import type { PresenceState } from '@starcatch/phoenix';
import { connectTestClient } from '@starcatch/phoenix/testing';
import type { ChatMessage, RoomSummary } from '@starcatch/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RoomRegistry } from '../../src/rooms/room-registry.ts';
import { ada, bo, cy, type GameSocket, gameSocket } from './game-socket.ts';

describe('room channel', () => {
  let game: GameSocket;

  beforeEach(async () => {
    game = await gameSocket({ emptyRoomTimeoutMs: 50 });
  });
  afterEach(() => game.dispose());

  it('admits members with distinct slots and tells the lobby the player count', async () => {
    const room = game.rooms.open({ id: RoomRegistry.newId(), name: 'Vega', maxPlayers: 4 });
    const lobby = connectTestClient(game.socket, { user: cy });
    await lobby.subscribeAndJoin('lobby');
    const a = connectTestClient(game.socket, { user: ada });
    const b = connectTestClient(game.socket, { user: bo });
    const joinA = (await a.subscribeAndJoin(`room:${room.id}`)).response as { room: RoomSummary; slot: number };
    const joinB = (await b.subscribeAndJoin(`room:${room.id}`)).response as { room: RoomSummary; slot: number };
    expect([joinA.slot, joinB.slot]).toEqual([0, 1]);
    expect(joinB.room.players).toBe(2);
    await lobby.assertPush('room_updated', { id: room.id, players: 1 });
    await lobby.assertPush('room_updated', { id: room.id, players: 2 });
    const state = (await b.assertPush('presence_state')) as PresenceState;
    expect(Object.keys(state).sort()).toEqual([ada.id, bo.id].sort());
    expect(state[bo.id]?.metas[0]).toMatchObject({ transport: 'websocket' });
  });

  it('refuses a full room, counting a two-tab player once', async () => {
    const room = game.rooms.open({ id: RoomRegistry.newId(), name: 'Duo', maxPlayers: 1 });
    const tab1 = connectTestClient(game.socket, { user: ada });
    const tab2 = connectTestClient(game.socket, { user: ada });
    await tab1.subscribeAndJoin(`room:${room.id}`);
    expect((await tab2.join(`room:${room.id}`)).reply.status).toBe('ok');
    const other = connectTestClient(game.socket, { user: bo });
    const { reply } = await other.join(`room:${room.id}`);
    expect(reply).toEqual({
      status: 'error',
      response: { reason: 'room_full', message: 'This room is full (1 players).' },
    });
  });

  it('refuses unknown rooms, and closed ones with their own reason', async () => {
    const client = connectTestClient(game.socket, { user: ada });
    expect((await client.join('room:nope')).reply.response).toMatchObject({ reason: 'room_not_found' });
    const lobby = connectTestClient(game.socket, { user: bo });
    await lobby.subscribeAndJoin('lobby');
    const room = game.rooms.open({ id: RoomRegistry.newId(), name: 'Brief', maxPlayers: 2 });
    await lobby.assertPush('room_closed', { id: room.id });
    expect((await client.join(`room:${room.id}`)).reply.response).toMatchObject({ reason: 'room_closed' });
  });

  it('keeps room chat inside the room', async () => {
    const room = game.rooms.open({ id: RoomRegistry.newId(), name: 'Chatty', maxPlayers: 4 });
    const member = connectTestClient(game.socket, { user: ada });
    const otherMember = connectTestClient(game.socket, { user: bo });
    const outsider = connectTestClient(game.socket, { user: cy });
    await member.subscribeAndJoin(`room:${room.id}`);
    await otherMember.subscribeAndJoin(`room:${room.id}`);
    await outsider.subscribeAndJoin('lobby');
    const ref = member.push(`room:${room.id}`, 'chat:send', { body: 'gg' });
    const { message } = (await member.assertReply(ref, 'ok')) as { message: ChatMessage };
    expect(await otherMember.assertPush('chat:message', undefined, `room:${room.id}`)).toEqual(message);
    await outsider.refutePush('chat:message');
    const rejoin = connectTestClient(game.socket, { user: cy });
    const { response } = await rejoin.subscribeAndJoin(`room:${room.id}`);
    expect((response as { history: ChatMessage[] }).history).toEqual([message]);
  });

  it('starts the match with the first member: the lobby sees the round state, the member a sync', async () => {
    const room = game.rooms.open({ id: RoomRegistry.newId(), name: 'Match', maxPlayers: 4 });
    const lobby = connectTestClient(game.socket, { user: cy });
    await lobby.subscribeAndJoin('lobby');
    const member = connectTestClient(game.socket, { user: ada });
    const { response } = await member.subscribeAndJoin(`room:${room.id}`);
    expect(response).toMatchObject({ slot: 0, state_encoding: 'binary' });
    expect(await member.assertPush('game:event', { type: 'sync' })).toMatchObject({ players: [{ user_id: ada.id }] });
    await member.assertPush('snapshot');
    await lobby.assertPush('room_updated', { id: room.id, state: 'playing' });
    member.leave(`room:${room.id}`);
    await lobby.assertPush('room_updated', { id: room.id, state: 'waiting' });
    expect(game.games.size).toBe(0);
  });

  it('frees the slot when the last tab leaves and closes the empty room after the timeout', async () => {
    const room = game.rooms.open({ id: RoomRegistry.newId(), name: 'Short', maxPlayers: 2 });
    const client = connectTestClient(game.socket, { user: ada });
    await client.subscribeAndJoin(`room:${room.id}`);
    client.leave(`room:${room.id}`);
    await client.assertPush('phx_close');
    expect(game.rooms.get(room.id)?.players).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(game.rooms.get(room.id)).toBeUndefined();
  });
});

describe('user channel', () => {
  it('admits only its own user', async () => {
    const game = await gameSocket();
    const client = connectTestClient(game.socket, { user: ada });
    expect((await client.join(`user:${ada.id}`)).reply.status).toBe('ok');
    expect((await client.join(`user:${bo.id}`)).reply).toMatchObject({
      status: 'error',
      response: { reason: 'unauthorized' },
    });
    await game.dispose();
  });
});
