/**
 * Room creations per user and per address, the cap on open rooms, and joins per socket, against
 * the real server with the official phoenix client. `X-Forwarded-For` stands for the address.
 */
import { ErrorCode, LobbyEvent, type RoomSummary, Topic } from '@starcatch/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ADDRESS_LIMITS } from '../../src/limits/address-limits.ts';
import { DEFAULT_ROOM_LIMITS } from '../../src/limits/room-limits.ts';
import {
  type Channel,
  ClientSockets,
  join,
  outcome,
  type PushOutcome,
  push,
  type Socket,
} from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { fromAddress, guestFrom, replyReason } from './limits-support.ts';

interface Player {
  readonly userId: string;
  readonly token: string;
  readonly socket: Socket;
  readonly lobby: Channel;
}

/** A guest signed in from `address`, with a socket from there and the lobby joined. */
async function playerAt(server: TestServer, sockets: ClientSockets, address: string): Promise<Player> {
  const { token, user } = await guestFrom(server, address);
  const socket = await sockets.open(server.socketUrl, fromAddress(address, token));
  const lobby = socket.channel(Topic.lobby);
  await join(lobby);
  return { userId: user.id, token, socket, lobby };
}

function createRoom(player: Player, name = 'Room'): Promise<PushOutcome> {
  return push(player.lobby, LobbyEvent.createRoom, { name, max_players: 4 });
}

function roomOf(reply: PushOutcome): RoomSummary {
  if (reply.status !== 'ok') throw new Error(`expected a room, got ${JSON.stringify(reply)}`);
  return (reply.response as { room: RoomSummary }).room;
}

/** Joins `room:<id>`; a refused join is left at once (phoenix.js would retry it every 50 ms). */
async function joinRoom(player: Player, roomId: string): Promise<{ reply: PushOutcome; channel: Channel }> {
  const channel = player.socket.channel(Topic.room(roomId));
  const reply = await outcome(channel.join());
  if (reply.status !== 'ok') channel.leave();
  return { reply, channel };
}

function leave(channel: Channel): Promise<PushOutcome> {
  return outcome(channel.leave());
}

describe('room limits with the defaults', () => {
  let server: TestServer;
  const sockets = new ClientSockets();

  beforeAll(async () => {
    server = await startTestServer({ TRUSTED_PROXIES: '127.0.0.1' });
  });
  afterEach(() => sockets.disconnectAll());
  afterAll(() => server.close());

  it('refuses a user’s 6th room within a minute with rate_limited; another user creates', async () => {
    const limit = DEFAULT_ROOM_LIMITS.createsPerUserPerMinute;
    const ada = await playerAt(server, sockets, '198.51.100.1');
    const bo = await playerAt(server, sockets, '198.51.100.1');
    const started = performance.now();
    const statuses: string[] = [];
    for (let i = 0; i < limit; i++) statuses.push((await createRoom(ada, `Ada ${i}`)).status);
    const refused = await createRoom(ada, 'One too many');
    const elapsedMs = performance.now() - started;

    expect(statuses).toEqual(new Array(limit).fill('ok'));
    expect(refused).toMatchObject({ status: 'error', response: { reason: ErrorCode.rateLimited } });
    expect((refused.response as { message: string }).message).toMatch(/creating rooms too fast/);
    // Same address, another user: unaffected (the address budget is larger).
    expect((await createRoom(bo, 'Bo')).status).toBe('ok');
    console.info(`[figure] room ${limit + 1} from one user: rate_limited after ${elapsedMs.toFixed(0)} ms`);
  });

  it('refuses the 21st room within a minute from one address, whoever creates it; another address creates', async () => {
    const limit = DEFAULT_ADDRESS_LIMITS.roomCreatesPerMinute;
    const perUser = DEFAULT_ROOM_LIMITS.createsPerUserPerMinute;
    const players = [];
    for (let i = 0; i < Math.ceil(limit / perUser) + 1; i++)
      players.push(await playerAt(server, sockets, '198.51.100.2'));
    const started = performance.now();
    const statuses: string[] = [];
    for (let i = 0; i < limit; i++) {
      const player = players[Math.floor(i / perUser)];
      if (!player) throw new Error('enough players');
      statuses.push((await createRoom(player, `Room ${i}`)).status);
    }
    const fresh = players.at(-1);
    if (!fresh) throw new Error('a player with an untouched budget');
    const refused = await createRoom(fresh, 'From a fresh identity');
    const elapsedMs = performance.now() - started;

    expect(statuses).toEqual(new Array(limit).fill('ok'));
    expect(refused).toMatchObject({ status: 'error', response: { reason: ErrorCode.rateLimited } });
    expect((refused.response as { message: string }).message).toMatch(/from your network/);
    const elsewhere = await playerAt(server, sockets, '198.51.100.3');
    expect((await createRoom(elsewhere, 'Elsewhere')).status).toBe('ok');
    console.info(
      `[figure] room ${limit + 1} from one address (${players.length} users): rate_limited after ${elapsedMs.toFixed(0)} ms`,
    );
  });

  it('refuses a socket’s 21st room join within a minute; another socket of the same user joins', async () => {
    const limit = DEFAULT_ROOM_LIMITS.joinsPerSocketPerMinute;
    const ada = await playerAt(server, sockets, '198.51.100.4');
    const room = roomOf(await createRoom(ada, 'Revolving door'));
    const started = performance.now();
    for (let i = 0; i < limit; i++) {
      const { reply, channel } = await joinRoom(ada, room.id);
      expect(reply.status).toBe('ok');
      expect((await leave(channel)).status).toBe('ok');
    }
    const { reply: refused } = await joinRoom(ada, room.id);
    const elapsedMs = performance.now() - started;
    expect(refused).toMatchObject({ status: 'error', response: { reason: ErrorCode.rateLimited } });

    // A second tab of the same user: the budget is the socket's.
    const secondTab = await sockets.open(server.socketUrl, fromAddress('198.51.100.4', ada.token));
    const other = await outcome(secondTab.channel(Topic.room(room.id)).join());
    expect(other.status).toBe('ok');
    console.info(
      `[figure] room join ${limit + 1} on one socket: rate_limited after ${elapsedMs.toFixed(0)} ms (${limit} join+leave cycles)`,
    );
  });

  it('keeps a socket to SOCKET_MAX_ROOMS rooms at once; another socket is unaffected, and leaving frees a place', async () => {
    const max = DEFAULT_ROOM_LIMITS.maxRoomsPerSocket;
    const ada = await playerAt(server, sockets, '198.51.100.5');
    const rooms = [];
    for (let i = 0; i <= max; i++) rooms.push(roomOf(await createRoom(ada, `Room ${i}`)));
    const joined = [];
    for (const room of rooms.slice(0, max)) {
      const { reply, channel } = await joinRoom(ada, room.id);
      expect(reply.status).toBe('ok');
      joined.push(channel);
    }
    const extra = rooms[max];
    if (!extra) throw new Error('one room more than the cap');
    const { reply: refused } = await joinRoom(ada, extra.id);
    expect(refused).toMatchObject({ status: 'error', response: { reason: ErrorCode.tooManyRoomsJoined } });

    const bo = await playerAt(server, sockets, '198.51.100.5');
    expect((await joinRoom(bo, extra.id)).reply.status).toBe('ok');

    const [first] = joined;
    if (!first) throw new Error('a joined room');
    expect((await leave(first)).status).toBe('ok');
    expect((await joinRoom(ada, extra.id)).reply.status).toBe('ok');
  });
});

describe('the cap on open rooms, and quick play as a creation', () => {
  const MAX_OPEN_ROOMS = 3;
  const EMPTY_ROOM_TIMEOUT_MS = 1_000;
  let server: TestServer;
  const sockets = new ClientSockets();

  beforeAll(async () => {
    server = await startTestServer({
      TRUSTED_PROXIES: '127.0.0.1',
      MAX_OPEN_ROOMS: String(MAX_OPEN_ROOMS),
      ROOM_CREATES_PER_USER_PER_MINUTE: '2',
      EMPTY_ROOM_TIMEOUT_MS: String(EMPTY_ROOM_TIMEOUT_MS),
    });
  });
  afterEach(async () => {
    await sockets.disconnectAll();
    // Every test starts with no room open: the empty ones close after EMPTY_ROOM_TIMEOUT_MS.
    await waitFor(() => server.app.rooms.list().length === 0, {
      what: 'the empty rooms to close',
      timeoutMs: EMPTY_ROOM_TIMEOUT_MS * 3,
    });
  });
  afterAll(() => server.close());

  it('counts a quick play that opens a room against the user’s creation budget', async () => {
    const ada = await playerAt(server, sockets, '198.51.100.10');
    const quick = await push(ada.lobby, LobbyEvent.quickPlay, {});
    expect(roomOf(quick).name).toBe('Quick play');
    expect((await createRoom(ada)).status).toBe('ok');
    expect(await createRoom(ada)).toMatchObject({ status: 'error', response: { reason: ErrorCode.rateLimited } });
    // Quick play now finds a room with a free slot: nothing is created, so nothing is refused.
    expect((await push(ada.lobby, LobbyEvent.quickPlay, {})).status).toBe('ok');
    const bo = await playerAt(server, sockets, '198.51.100.11');
    expect((await createRoom(bo)).status).toBe('ok');
  });

  it('refuses a room beyond MAX_OPEN_ROOMS with too_many_rooms; others still quick play into open rooms', async () => {
    const ada = await playerAt(server, sockets, '198.51.100.12');
    const bo = await playerAt(server, sockets, '198.51.100.12');
    const statuses = [(await createRoom(ada)).status, (await createRoom(ada)).status, (await createRoom(bo)).status];
    expect(statuses).toEqual(['ok', 'ok', 'ok']);

    const cy = await playerAt(server, sockets, '198.51.100.13');
    const refused = await createRoom(cy);
    expect(replyReason(refused.response)).toBe(ErrorCode.tooManyRooms);
    expect(server.app.rooms.list()).toHaveLength(MAX_OPEN_ROOMS);
    // Quick play finds an open room: the cap stops new rooms, not play.
    const quick = roomOf(await push(cy.lobby, LobbyEvent.quickPlay, {}));
    expect((await joinRoom(cy, quick.id)).reply.status).toBe('ok');

    // Once the empty rooms close, creating works again (cy's budget was not spent on the refusal).
    await waitFor(() => server.app.rooms.list().length < MAX_OPEN_ROOMS, {
      what: 'an empty room to close',
      timeoutMs: EMPTY_ROOM_TIMEOUT_MS * 3,
    });
    expect((await createRoom(cy)).status).toBe('ok');
  });
});
