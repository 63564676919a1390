/**
 * Invisible formatting characters (Unicode Cf: bidi overrides, zero-width spaces and joiners, the
 * BOM…) are refused by the real server wherever one player's text reaches the others: the sign-in
 * nickname (HTTP 400 invalid_nickname), a room name (invalid_room) and a chat body
 * (invalid_message). Nothing is stored or broadcast, and the other players see nothing of it.
 */
import {
  ApiPath,
  ChatEvent,
  type ChatMessage,
  ErrorCode,
  LobbyEvent,
  type RoomSummary,
  Topic,
} from '@starcatch/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { type Channel, ClientSockets, join, push, recordEvents } from './phoenix-client.ts';
import { QUIET_WINDOW_MS, sleep, waitFor } from './wait-for.ts';

const RLO = '\u202E';
const ZWSP = '\u200B';
const LRI = '\u2066';

let server: TestServer;
const sockets = new ClientSockets();
beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => sockets.disconnectAll());
afterAll(() => server.close());

async function lobbyOf(nickname: string): Promise<{ lobby: Channel; chats: unknown[]; created: unknown[] }> {
  const { token } = await server.signIn(nickname);
  const socket = await sockets.open(server.socketUrl, { params: { token } });
  const lobby = socket.channel(Topic.lobby);
  const chats = recordEvents(lobby, ChatEvent.message);
  const created = recordEvents(lobby, LobbyEvent.roomCreated);
  await join(lobby);
  return { lobby, chats, created };
}

describe('format characters, against the real server', () => {
  it('a nickname with one is refused with 400 invalid_nickname; sign-in works without it', async () => {
    const response = await fetch(`${server.httpUrl}${ApiPath.session}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nickname: `Ada${RLO}nimda` }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: ErrorCode.invalidNickname, message: expect.stringContaining('U+202E') },
    });
    expect((await server.signIn('Ada')).user.nickname).toBe('Ada');
  });

  it('a room name or chat body with one is refused; the other players see nothing, then the next message', async () => {
    const mallory = await lobbyOf('Mallory');
    const bob = await lobbyOf('Bob');
    const roomsBefore = server.app.rooms.list().length;

    const room = await push(mallory.lobby, LobbyEvent.createRoom, { name: `Free${ZWSP}stars`, max_players: 4 });
    expect(room).toEqual({
      status: 'error',
      response: { reason: ErrorCode.invalidRoom, message: expect.stringContaining('U+200B') },
    });
    const chat = await push(mallory.lobby, ChatEvent.send, { body: `click ${LRI}here` });
    expect(chat).toEqual({
      status: 'error',
      response: { reason: ErrorCode.invalidMessage, message: expect.stringContaining('U+2066') },
    });
    await sleep(QUIET_WINDOW_MS);
    expect(server.app.rooms.list()).toHaveLength(roomsBefore);
    expect(bob.created).toEqual([]);
    expect(bob.chats).toEqual([]);

    // Mallory's socket and channel are fine; plain text goes through to Bob.
    expect(await push(mallory.lobby, ChatEvent.send, { body: 'click here' })).toMatchObject({ status: 'ok' });
    const created = await push(mallory.lobby, LobbyEvent.createRoom, { name: 'Free stars', max_players: 4 });
    expect(created).toMatchObject({ status: 'ok' });
    await waitFor(() => bob.chats.length === 1 && bob.created.length === 1, {
      what: "Bob to see Mallory's chat and room",
    });
    expect((bob.chats[0] as ChatMessage).body).toBe('click here');
    expect((bob.created[0] as RoomSummary).name).toBe('Free stars');
  });
});
