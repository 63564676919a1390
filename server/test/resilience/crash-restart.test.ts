/**
 * A crash: the server process is killed with SIGKILL in the middle of a round while every player
 * chats, and a new process is started on the same port and data directory. Real processes, the
 * official phoenix client, the embedded SQLite. Afterwards every player's tab is back in its room
 * (its room channel rejoined by itself, snapshots flowing from the new process) and not one
 * acknowledged chat message is missing: an `ok` reply is only sent once the message is on disk.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  ApiPath,
  ChatEvent,
  type ChatMessage,
  GameEvent,
  LobbyEvent,
  type RoomSummary,
  Topic,
} from '@starcatch/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../scripts/services/free-port.ts';
import { SQLITE_FILE } from '../../src/storage/open-storage.ts';
import { type Channel, ClientSockets, join as joinChannel, push } from '../integration/phoenix-client.ts';
import { sleep, waitFor } from '../integration/wait-for.ts';
import { GameBot } from '../support/game-bot.ts';
import { ensureGone, type ServerProcess, startServerProcess } from '../support/server-process.ts';

/** Long rounds: the kill lands in the middle of the first one. */
const ENV = { ROUND_SECONDS: '60', INTERMISSION_SECONDS: '2', EMPTY_ROOM_TIMEOUT_MS: '60000' };
const CHAT_EVERY_MS = 150;
const BACK_TIMEOUT_MS = 15_000;

const sockets = new ClientSockets();
let dataDir: string;
let servers: ServerProcess[] = [];

afterAll(async () => {
  await sockets.disconnectAll();
  for (const server of servers) await ensureGone(server);
  servers = [];
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Acked {
  readonly topic: string;
  readonly message: ChatMessage;
}

/** Sends a chat message on `room` every CHAT_EVERY_MS until `running()` is false; records the acknowledged ones. */
async function chatter(bot: GameBot, room: Channel, acked: Acked[], running: () => boolean): Promise<number> {
  let sent = 0;
  const pending: Promise<void>[] = [];
  while (running()) {
    const body = `${bot.user.nickname} #${++sent}`;
    pending.push(
      push(room, ChatEvent.send, { body }).then((outcome) => {
        if (outcome.status !== 'ok') return;
        const { message } = outcome.response as { message: ChatMessage };
        expect(message.body).toBe(body);
        acked.push({ topic: room.topic, message });
      }),
    );
    await sleep(CHAT_EVERY_MS);
  }
  await Promise.all(pending);
  return sent;
}

describe('SIGKILL in the middle of a round, then a restart on the same port and data directory', () => {
  it('every player is back in its room, and no acknowledged chat message is lost', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'starcatch-crash-'));
    const port = await freePort();
    const first = await startServerProcess({ dataDir, port, env: ENV });
    servers.push(first);

    // Two rooms created through the lobby, as players do: stored, so a restart reopens them.
    const host = await GameBot.connect(first, sockets, 'Host');
    const lobby = host.socket.channel(Topic.lobby);
    await joinChannel(lobby);
    const roomIds: string[] = [];
    for (const name of ['Alpha', 'Beta']) {
      const created = await push(lobby, LobbyEvent.createRoom, { name, max_players: 4 });
      expect(created.status).toBe('ok');
      roomIds.push((created.response as { room: RoomSummary }).room.id);
    }
    const [alpha, beta] = roomIds as [string, string];
    const seating: [string, string][] = [
      ['Ada', alpha],
      ['Bo', alpha],
      ['Cy', alpha],
      ['Dee', beta],
    ];
    const players: { bot: GameBot; roomId: string }[] = [];
    for (const [nickname, roomId] of seating) {
      const bot = await GameBot.connect(first, sockets, nickname);
      await bot.joinRoom(roomId);
      players.push({ bot, roomId });
    }
    // Both rooms are playing (a round starts as soon as someone is in), and every player gets snapshots.
    await waitFor(() => players.every(({ bot }) => bot.snapshots.length > 0), { what: 'snapshots for every player' });
    const listed = async () =>
      ((await (await fetch(`${first.httpUrl}${ApiPath.rooms}`)).json()) as { rooms: RoomSummary[] }).rooms;
    expect((await listed()).filter((room) => roomIds.includes(room.id)).map((room) => room.state)).toEqual([
      'playing',
      'playing',
    ]);

    const acked: Acked[] = [];
    let chatting = true;
    const chats = players.map(({ bot }) => chatter(bot, bot.room as Channel, acked, () => chatting));
    await sleep(1_000);
    for (const { bot } of players) bot.sendInput(1, 'websocket');

    // Mid-round: no round has ended anywhere.
    expect(players.flatMap(({ bot }) => bot.eventsVia('websocket')).some((e) => e.type === GameEvent.roundEnded)).toBe(
      false,
    );
    const ackedBeforeKill = acked.length;
    const joinRefs = players.map(({ bot }) => bot.room?.joinRef() ?? null);
    const killedAt = performance.now();
    const killed = await first.kill();
    expect(killed.signal).toBe('SIGKILL');

    const second = await startServerProcess({ dataDir, port, env: ENV });
    servers.push(second);
    const listeningAt = performance.now();

    // Every tab rejoins its room by itself and gets snapshots from the new process.
    try {
      await waitFor(
        () =>
          players.every(
            ({ bot }, i) =>
              bot.room?.state === 'joined' &&
              bot.room.joinRef() !== joinRefs[i] &&
              bot.snapshots.some((snapshot) => snapshot.at > listeningAt),
          ),
        { what: 'every player back in its room, with snapshots', timeoutMs: BACK_TIMEOUT_MS },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- new server ---\n${second.tail()}`);
    }
    const backMs = performance.now() - listeningAt;
    const rooms = (await (await fetch(`${second.httpUrl}${ApiPath.rooms}`)).json()) as { rooms: RoomSummary[] };
    const playersIn = (id: string) => rooms.rooms.find((room) => room.id === id)?.players;
    expect(playersIn(alpha)).toBe(3);
    expect(playersIn(beta)).toBe(1);

    // A little more chat on the new process, then stop and let every push settle.
    await sleep(500);
    chatting = false;
    const sent = (await Promise.all(chats)).reduce((sum, count) => sum + count, 0);
    expect(ackedBeforeKill).toBeGreaterThan(10);
    expect(acked.length).toBeGreaterThan(ackedBeforeKill);

    // Every acknowledged message is stored, under its id and topic...
    const db = new DatabaseSync(join(dataDir, SQLITE_FILE), { readOnly: true });
    const stored = new Map(
      (
        db.prepare('SELECT id, topic, body FROM chat_messages').all() as { id: number; topic: string; body: string }[]
      ).map((row) => [Number(row.id), row]),
    );
    db.close();
    const lost = acked.filter(({ topic, message }) => {
      const row = stored.get(message.id);
      return row?.topic !== topic || row.body !== message.body;
    });
    expect(lost).toEqual([]);

    // ...and a player joining now is told of every one of them.
    const observer = await GameBot.connect(second, sockets, 'Late');
    for (const roomId of roomIds) {
      const room = observer.socket.channel(Topic.room(roomId), { last_seen_id: 0 });
      const { history } = (await joinChannel(room)) as { history: ChatMessage[] };
      const ids = new Set(history.map((message) => message.id));
      const missing = acked.filter(({ topic, message }) => topic === Topic.room(roomId) && !ids.has(message.id));
      expect(missing).toEqual([]);
      room.leave();
    }

    console.info(
      `SIGKILL mid-round: new process listening ${(listeningAt - killedAt).toFixed(0)} ms after the kill; ` +
        `all ${players.length} players back in their rooms with snapshots ${backMs.toFixed(0)} ms later; ` +
        `${acked.length} of ${sent} chat messages acknowledged (${ackedBeforeKill} before the kill), 0 lost`,
    );
  }, 60_000);
});
