/**
 * Database faults against the real services, no mocks: the real server on its own throwaway
 * PostgreSQL, which the test stops, starts and restarts with `pg_ctl` while a player (the official
 * phoenix client) plays and chats; and SQLite made full (`max_page_count`) or locked by another
 * connection. During an outage sign-in answers 503 `storage_unavailable` with `Retry-After`, chat
 * sends answer `storage_unavailable`, the game goes on, and finished rounds wait in memory; once the
 * database is back everything works again without a restart and the waiting rounds are written.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { ChannelContext } from '@starcatch/phoenix';
import {
  type ApiError,
  ApiPath,
  ChatEvent,
  ErrorCode,
  GameEvent,
  type RoundEndedEvent,
  Topic,
} from '@starcatch/shared';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sendChat } from '../../src/channels/chat.ts';
import type { SocketAssigns } from '../../src/channels/socket-assigns.ts';
import { KeyedRateLimit } from '../../src/limits/keyed-rate-limit.ts';
import { RoomRegistry } from '../../src/rooms/room-registry.ts';
import { SQLITE_FILE } from '../../src/storage/open-storage.ts';
import { SqliteDatabase } from '../../src/storage/sqlite-database.ts';
import { Storage } from '../../src/storage/storage.ts';
import { STORAGE_RETRY_AFTER_SECONDS, StorageUnavailableError } from '../../src/storage/storage-errors.ts';
import { type Channel, ClientSockets, join as joinChannel, push, watchSocket } from '../integration/phoenix-client.ts';
import { sleep, waitFor } from '../integration/wait-for.ts';
import { GameBot } from '../support/game-bot.ts';
import { findPostgresBin, type PostgresServer, startPostgresServer } from '../support/postgres-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const ROUND_SECONDS = 1.5;
const SHORT_ROUNDS = { ROUND_SECONDS: String(ROUND_SECONDS), INTERMISSION_SECONDS: '0.5' };
const postgresBin = findPostgresBin();

/** Errors that reached the process with nobody handling them (the pool's 'error' once killed it). */
const unhandled: unknown[] = [];
const recordUnhandled = (error: unknown): void => {
  unhandled.push(error);
};
beforeAll(() => {
  process.on('uncaughtException', recordUnhandled);
  process.on('unhandledRejection', recordUnhandled);
});
afterAll(() => {
  process.off('uncaughtException', recordUnhandled);
  process.off('unhandledRejection', recordUnhandled);
});

/** Figures measured on this run, printed at the end. */
const figures: Record<string, string> = {};
afterAll(() => {
  if (Object.keys(figures).length > 0) console.info(`database outage figures: ${JSON.stringify(figures, null, 2)}`);
});

const sockets = new ClientSockets();
afterEach(() => sockets.disconnectAll());

async function postSession(server: TestServer, nickname = 'Outage'): Promise<Response> {
  return fetch(`${server.httpUrl}${ApiPath.session}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nickname }),
  });
}

/** Asserts sign-in answers 503 storage_unavailable; resolves with how long the answer took. */
async function expectSignInUnavailable(server: TestServer): Promise<number> {
  const startedAt = performance.now();
  const response = await postSession(server);
  const elapsedMs = performance.now() - startedAt;
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe(String(STORAGE_RETRY_AFTER_SECONDS));
  const body = (await response.json()) as ApiError;
  expect(body.error).toEqual({ code: ErrorCode.storageUnavailable, message: expect.stringContaining('database') });
  return elapsedMs;
}

/** Polls sign-in until it answers 201; resolves with how long that took. */
async function signInRecovers(server: TestServer, timeoutMs = 10_000): Promise<number> {
  const startedAt = performance.now();
  for (;;) {
    const response = await postSession(server);
    await response.arrayBuffer();
    if (response.status === 201) return performance.now() - startedAt;
    expect(response.status).toBe(503);
    if (performance.now() - startedAt > timeoutMs) throw new Error(`sign-in still ${response.status}`);
    await sleep(20);
  }
}

function chatSend(channel: Channel, body: string) {
  return push(channel, ChatEvent.send, { body });
}

/** Round ends the bot saw on its room channel. */
function roundEnds(bot: GameBot): RoundEndedEvent[] {
  return bot.eventsVia('websocket').filter((event): event is RoundEndedEvent => event.type === GameEvent.roundEnded);
}

/** The longest gap between two snapshots the bot received after `since` (performance.now() ms). */
function longestSnapshotGap(bot: GameBot, since: number, until: number): number {
  const times = bot.snapshots.map((s) => s.at).filter((at) => at >= since && at <= until);
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, (times[i] ?? 0) - (times[i - 1] ?? 0));
  return longest;
}

describe.skipIf(!postgresBin)('a PostgreSQL outage, against the real server', () => {
  let postgres: PostgresServer;
  let server: TestServer;
  let reader: pg.Pool;

  beforeAll(async () => {
    postgres = await startPostgresServer(postgresBin ?? '');
    server = await startTestServer({ DATABASE_URL: postgres.url, ...SHORT_ROUNDS });
    // The test's own view of the database, to see what the server wrote.
    reader = new pg.Pool({ connectionString: postgres.url, max: 1 });
    reader.on('error', () => {});
  });
  afterAll(async () => {
    await server?.close();
    await reader?.end();
    postgres?.dispose();
  });

  async function storedRounds(roomId: string, userId: string): Promise<number[]> {
    const result = await reader.query<{ round: number }>(
      'SELECT round FROM round_results WHERE room_id = $1 AND user_id = $2 ORDER BY round',
      [roomId, userId],
    );
    return result.rows.map((row) => Number(row.round));
  }

  it('stopped: the server stays up, refuses sign-in and chat with storage_unavailable, plays on, and recovers with no restart', async () => {
    const bot = await GameBot.connect(server, sockets);
    const socketEvents = watchSocket(bot.socket);
    const lobby = bot.socket.channel(Topic.lobby);
    await joinChannel(lobby);
    const roomId = server.app.rooms.open({ id: RoomRegistry.newId(), name: 'Outage', maxPlayers: 4 }).id;
    await bot.joinRoom(roomId);
    expect(await chatSend(lobby, 'before')).toMatchObject({ status: 'ok' });

    await postgres.stop('fast');
    const downAt = performance.now();
    const roundsBefore = roundEnds(bot).length;

    const refusedInMs = await expectSignInUnavailable(server);
    const refused = await chatSend(lobby, 'during the outage');
    expect(refused).toEqual({
      status: 'error',
      response: { reason: ErrorCode.storageUnavailable, message: expect.any(String) },
    });

    // The game goes on: a whole round ends while the database is down.
    await waitFor(() => roundEnds(bot).length > roundsBefore, {
      what: 'a round to end during the outage',
      timeoutMs: (ROUND_SECONDS + 2) * 1000,
    });
    const outageRound = roundEnds(bot).at(-1)?.round ?? -1;
    await sleep(300);
    const gapMs = longestSnapshotGap(bot, downAt, performance.now());
    expect(gapMs).toBeLessThan(500);
    // Still refused: the round waits in memory.
    await expectSignInUnavailable(server);

    const startingAt = performance.now();
    await postgres.start();
    const startMs = performance.now() - startingAt;
    const signInMs = await signInRecovers(server);
    expect(await chatSend(lobby, 'after the outage')).toMatchObject({ status: 'ok' });
    const backAt = performance.now();
    let resultsMs = 0;
    for (;;) {
      if ((await storedRounds(roomId, bot.user.id)).includes(outageRound)) break;
      resultsMs = performance.now() - backAt;
      if (resultsMs > 10_000) throw new Error(`round ${outageRound} was not written after the database came back`);
      await sleep(50);
    }
    resultsMs = performance.now() - backAt;

    expect(socketEvents.closeCodes).toEqual([]);
    expect(unhandled).toEqual([]);
    figures['sign-in 503 answered in (PostgreSQL stopped)'] = `${refusedInMs.toFixed(0)} ms`;
    figures['pg_ctl start -w took'] = `${startMs.toFixed(0)} ms`;
    figures['sign-in back after PostgreSQL accepted connections'] = `${signInMs.toFixed(0)} ms`;
    figures['round results written after sign-in was back'] = `${resultsMs.toFixed(0)} ms`;
    figures['longest snapshot gap during the outage'] = `${gapMs.toFixed(0)} ms`;
  });

  it('restarted during play (pg_ctl restart -m fast): the server stays up and chat resumes', async () => {
    const bot = await GameBot.connect(server, sockets);
    const socketEvents = watchSocket(bot.socket);
    const roomId = server.app.rooms.open({ id: RoomRegistry.newId(), name: 'Restart', maxPlayers: 4 }).id;
    await bot.joinRoom(roomId);
    const room = bot.room as Channel;
    expect(await chatSend(room, 'before the restart')).toMatchObject({ status: 'ok' });
    const snapshotsBefore = bot.snapshots.length;

    const restartStartedAt = performance.now();
    await postgres.restart('fast');
    const restartMs = performance.now() - restartStartedAt;

    // As a player would: send, and press Retry while it says storage_unavailable.
    const backAt = performance.now();
    let attempts = 0;
    for (;;) {
      attempts++;
      const reply = await chatSend(room, 'after the restart');
      if (reply.status === 'ok') break;
      expect(reply).toMatchObject({ status: 'error', response: { reason: ErrorCode.storageUnavailable } });
      if (performance.now() - backAt > 10_000) throw new Error('chat did not resume');
      await sleep(20);
    }
    const chatMs = performance.now() - backAt;
    expect(bot.snapshots.length).toBeGreaterThan(snapshotsBefore);
    expect(socketEvents.closeCodes).toEqual([]);
    expect(unhandled).toEqual([]);
    figures['pg_ctl restart -m fast took'] = `${restartMs.toFixed(0)} ms`;
    figures['chat after the restart'] = `${chatMs.toFixed(0)} ms, ${attempts} attempt(s)`;
  });
});

describe('SQLite faults', () => {
  it('a full database (max_page_count) is storage_unavailable, for a query, a transaction and a chat send, until there is room again', async () => {
    const db = new SqliteDatabase(join(await mkdtemp(join(tmpdir(), 'starcatch-full-')), 'db.sqlite'));
    const storage = await Storage.open(db);
    try {
      const [{ page_count: pages } = {}] = await db.query('PRAGMA page_count');
      await db.query(`PRAGMA max_page_count = ${Number(pages) + 2}`);
      const message = { topic: 'lobby', userId: 'u1', nickname: 'Ada', body: 'x'.repeat(400) };
      let full: unknown = null;
      for (let i = 0; i < 100 && full === null; i++) {
        await storage.insertChatMessage(message).catch((error: unknown) => {
          full = error;
        });
      }
      expect(full).toBeInstanceOf(StorageUnavailableError);
      expect(full).toMatchObject({ engine: 'sqlite', code: 'SQLITE_FULL' });

      // In a transaction SQLite rolls back by itself; the error is still SQLITE_FULL, not "no transaction is active".
      const round = {
        roomId: 'r1',
        round: 1,
        endedAt: 1,
        players: Array.from({ length: 16 }, (_, slot) => ({
          userId: `u${slot}`,
          nickname: 'n'.repeat(400),
          slot,
          score: slot,
          won: false,
        })),
      };
      await expect(storage.saveRoundResults(round)).rejects.toMatchObject({
        name: 'StorageUnavailableError',
        code: 'SQLITE_FULL',
      });

      // The same mapping on the chat path: the reply says storage_unavailable, not storage_failed.
      const broadcasts: unknown[] = [];
      const channel = {
        topic: 'lobby',
        assigns: { user: { id: 'u1', nickname: 'Ada', color: '#ff6b6b' } },
        broadcast: (_event: string, payload: unknown) => broadcasts.push(payload),
      } as unknown as ChannelContext<SocketAssigns>;
      const limit = new KeyedRateLimit({ burst: 100, perMinute: 6_000, strikesPerMinute: 100 });
      const reply = await sendChat(storage, limit, channel, { body: 'x'.repeat(400) });
      expect(reply).toMatchObject({ status: 'error', response: { reason: ErrorCode.storageUnavailable } });
      expect(broadcasts).toEqual([]);

      // Room again (the operator freed disk): the same storage works, no reopening.
      await db.query('PRAGMA max_page_count = 1073741823');
      await storage.saveRoundResults(round);
      expect(await sendChat(storage, limit, channel, { body: 'back' })).toMatchObject({ status: 'ok' });
      expect(broadcasts).toHaveLength(1);
    } finally {
      await storage.close();
    }
  });

  it('a database locked by another process (SQLITE_BUSY): sign-in 503 and chat storage_unavailable through the real server, then recovery', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'starcatch-busy-'));
    const server = await startTestServer({ DATA_DIR: dataDir, ...SHORT_ROUNDS });
    const locker = new DatabaseSync(join(dataDir, SQLITE_FILE));
    try {
      const bot = await GameBot.connect(server, sockets);
      const lobby = bot.socket.channel(Topic.lobby);
      await joinChannel(lobby);
      const roomId = server.app.rooms.open({ id: RoomRegistry.newId(), name: 'Busy', maxPlayers: 4 }).id;
      await bot.joinRoom(roomId);
      const roundsBefore = roundEnds(bot).length;

      locker.exec('BEGIN EXCLUSIVE');
      await expectSignInUnavailable(server);
      expect(await chatSend(lobby, 'while locked')).toMatchObject({
        status: 'error',
        response: { reason: ErrorCode.storageUnavailable },
      });
      await waitFor(() => roundEnds(bot).length > roundsBefore, {
        what: 'a round to end while the file is locked',
        timeoutMs: (ROUND_SECONDS + 2) * 1000,
      });
      const lockedRound = roundEnds(bot).at(-1)?.round ?? -1;
      locker.exec('ROLLBACK');

      expect(await signInRecovers(server)).toBeLessThan(1_000);
      expect(await chatSend(lobby, 'unlocked')).toMatchObject({ status: 'ok' });
      await waitFor(
        () => {
          const rows = locker
            .prepare('SELECT round FROM round_results WHERE room_id = ? AND user_id = ?')
            .all(roomId, bot.user.id);
          expect(rows.map((row) => Number(row.round))).toContain(lockedRound);
        },
        { what: `round ${lockedRound} to be written`, timeoutMs: 10_000 },
      );
      expect(unhandled).toEqual([]);
    } finally {
      locker.close();
      await server.close();
    }
  });
});
