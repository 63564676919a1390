import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../src/storage/migrations.ts';
import { PostgresDatabase } from '../../src/storage/postgres-database.ts';
import type { SqlDatabase } from '../../src/storage/sql-database.ts';
import { SqliteDatabase } from '../../src/storage/sqlite-database.ts';
import { Storage } from '../../src/storage/storage.ts';

const databaseUrl = inject('databaseUrl');

/** Each engine gets a fresh, empty database. */
const engines: { name: string; skip: string | false; open: () => Promise<SqlDatabase> }[] = [
  {
    name: 'SQLite (embedded)',
    skip: false,
    open: async () => new SqliteDatabase(join(await mkdtemp(join(tmpdir(), 'starcatch-sqlite-')), 'db.sqlite')),
  },
  {
    name: 'PostgreSQL',
    skip: databaseUrl ? false : 'PostgreSQL is not installed on this machine',
    open: async () => {
      const admin = new PostgresDatabase(databaseUrl ?? '');
      const name = `t_${Math.random().toString(36).slice(2, 10)}`;
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.close();
      return new PostgresDatabase((databaseUrl ?? '').replace(/\/postgres$/, `/${name}`));
    },
  },
];

for (const engine of engines) {
  describe.skipIf(engine.skip)(`storage on ${engine.name}`, () => {
    let storage: Storage;
    let db: SqlDatabase;

    beforeAll(async () => {
      db = await engine.open();
      storage = await Storage.open(db);
    });
    afterAll(() => storage.close());

    it('records applied migrations and applies none twice', async () => {
      expect(await migrate(db)).toEqual([]);
      const rows = await db.query('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((row) => Number(row.version))).toEqual(MIGRATIONS.map((m) => m.version));
    });

    it('saves and finds users, updating the nickname on conflict', async () => {
      await storage.saveUser({ id: 'u1', nickname: 'Ada', color: '#ff6b6b' });
      await storage.saveUser({ id: 'u1', nickname: 'Ada L', color: '#ff6b6b' });
      expect(await storage.findUser('u1')).toEqual({ id: 'u1', nickname: 'Ada L', color: '#ff6b6b' });
      expect(await storage.findUser('nobody')).toBeNull();
    });

    it('stores chat messages with increasing ids and returns recent history oldest first', async () => {
      const sent = [];
      for (let i = 1; i <= 5; i++) {
        sent.push(await storage.insertChatMessage({ topic: 'lobby', userId: 'u1', nickname: 'Ada', body: `m${i}` }));
      }
      await storage.insertChatMessage({ topic: 'room:x', userId: 'u1', nickname: 'Ada', body: 'elsewhere' });
      expect(sent.map((m) => m.id)).toEqual([...sent.map((m) => m.id)].sort((a, b) => a - b));
      expect(sent[0]).toMatchObject({ user_id: 'u1', nickname: 'Ada', body: 'm1' });
      expect(Number.isNaN(Date.parse(sent[0]?.inserted_at ?? ''))).toBe(false);
      const recent = await storage.recentChatMessages('lobby', 3);
      expect(recent.map((m) => m.body)).toEqual(['m3', 'm4', 'm5']);
      const after = await storage.chatMessagesAfter('lobby', sent[1]?.id ?? 0, 50);
      expect(after.map((m) => m.body)).toEqual(['m3', 'm4', 'm5']);
    });

    it('reopens rooms that were not closed', async () => {
      await storage.saveRoom({ id: 'r1', name: 'Vega', maxPlayers: 4 });
      await storage.saveRoom({ id: 'r2', name: 'Orion', maxPlayers: 8 });
      await storage.markRoomClosed('r1');
      expect(await storage.openRooms()).toEqual([{ id: 'r2', name: 'Orion', maxPlayers: 8 }]);
      expect(await storage.isRoomClosed('r1')).toBe(true);
      expect(await storage.isRoomClosed('r2')).toBe(false);
    });

    it('keeps unicode and quotes intact', async () => {
      const body = `O'Brien says "hi" — 星 🚀 <b>not html</b>`;
      const stored = await storage.insertChatMessage({ topic: 'room:u', userId: 'u2', nickname: 'Zoë', body });
      expect((await storage.recentChatMessages('room:u', 1))[0]).toEqual(stored);
      expect(stored.body).toBe(body);
    });

    it('stores round results and ranks the leaderboard by stars, then wins, then fewer rounds', async () => {
      const line = (userId: string, nickname: string, slot: number, score: number, won: boolean) => ({
        userId,
        nickname,
        slot,
        score,
        won,
      });
      await storage.saveRoundResults({
        roomId: 'r1',
        round: 1,
        endedAt: 1_000,
        players: [line('lb-ada', 'Ada', 0, 5, true), line('lb-bo', 'Bo', 1, 3, false)],
      });
      await storage.saveRoundResults({
        roomId: 'r1',
        round: 2,
        endedAt: 2_000,
        players: [
          line('lb-bo', 'Bo', 1, 4, true),
          line('lb-ada', 'Ada', 0, 2, false),
          line('lb-cy', 'Cy', 2, 0, false),
        ],
      });
      await storage.saveRoundResults({
        roomId: 'r2',
        round: 1,
        endedAt: 3_000,
        players: [line('lb-dee', 'Dee', 0, 7, true)],
      });
      expect(await storage.leaderboard(10)).toEqual([
        { rank: 1, user_id: 'lb-dee', nickname: 'Dee', stars: 7, wins: 1, rounds: 1 },
        { rank: 2, user_id: 'lb-ada', nickname: 'Ada', stars: 7, wins: 1, rounds: 2 },
        { rank: 3, user_id: 'lb-bo', nickname: 'Bo', stars: 7, wins: 1, rounds: 2 },
        { rank: 4, user_id: 'lb-cy', nickname: 'Cy', stars: 0, wins: 0, rounds: 1 },
      ]);
      expect((await storage.leaderboard(2)).map((entry) => entry.user_id)).toEqual(['lb-dee', 'lb-ada']);
    });
  });
}
