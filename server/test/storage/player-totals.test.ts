/**
 * The leaderboard is read from `player_totals`, kept by `saveRoundResults` in the same transaction
 * as the round's lines, never from an aggregate of every round per request. On both engines:
 * migration 4 backfills the totals of a database that already holds rounds; totals always equal
 * the aggregate they replace; the query reads the top of an index; and the figures of a database
 * of 100,000 round lines, old query beside new.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { FinishedRound } from '../../src/game/round-results.ts';
import { MIGRATIONS } from '../../src/storage/migrations.ts';
import { PostgresDatabase } from '../../src/storage/postgres-database.ts';
import type { SqlDatabase } from '../../src/storage/sql-database.ts';
import { SqliteDatabase } from '../../src/storage/sqlite-database.ts';
import { Storage, toLeaderboard } from '../../src/storage/storage.ts';

const databaseUrl = inject('databaseUrl');

/** The leaderboard as it was computed before migration 4: an aggregate of every round line. */
const AGGREGATE = `SELECT user_id, MAX(nickname) AS nickname, SUM(score) AS stars, SUM(won) AS wins, COUNT(*) AS rounds
  FROM round_results GROUP BY user_id
  ORDER BY stars DESC, wins DESC, rounds ASC, user_id ASC LIMIT $1`;
const TOTALS_LIMIT = 20;
const BULK_LINES = 100_000;
const BULK_USERS = 20_000;

const engines: { name: string; skip: string | false; open: () => Promise<SqlDatabase> }[] = [
  {
    name: 'SQLite (embedded)',
    skip: false,
    open: async () => new SqliteDatabase(join(await mkdtemp(join(tmpdir(), 'starcatch-totals-')), 'db.sqlite')),
  },
  {
    name: 'PostgreSQL',
    skip: databaseUrl ? false : 'PostgreSQL is not installed on this machine',
    open: async () => {
      const admin = new PostgresDatabase(databaseUrl ?? '');
      const name = `totals_${Math.random().toString(36).slice(2, 10)}`;
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.close();
      return new PostgresDatabase((databaseUrl ?? '').replace(/\/postgres$/, `/${name}`));
    },
  },
];

const figures: Record<string, string> = {};
afterAll(() => {
  if (Object.keys(figures).length > 0) console.info(`leaderboard figures: ${JSON.stringify(figures, null, 2)}`);
});

/** Applies the migrations up to `version` as that release would have, leaving the rest pending. */
async function migrateTo(db: SqlDatabase, version: number): Promise<void> {
  await db.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
  );
  for (const migration of MIGRATIONS.filter((m) => m.version <= version)) {
    await db.transaction([
      ...migration.statements(db.dialect).map((sql) => ({ sql })),
      {
        sql: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
        params: [migration.version, migration.name, 0],
      },
    ]);
  }
}

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

async function medianMs(runs: number, task: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const startedAt = performance.now();
    await task();
    times.push(performance.now() - startedAt);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

for (const engine of engines) {
  describe.skipIf(engine.skip)(`player totals on ${engine.name}`, () => {
    it('migration 4 backfills the totals of the rounds already stored', async () => {
      const db = await engine.open();
      await migrateTo(db, 3);
      const lines = [
        ['r1', 1, 'u-ada', 'Ada', 0, 5, 1],
        ['r1', 1, 'u-bo', 'Bo', 1, 3, 0],
        ['r1', 2, 'u-ada', 'Ada', 0, 2, 0],
        ['r1', 2, 'u-bo', 'Bo', 1, 4, 1],
        ['r2', 1, 'u-cy', 'Cy', 0, 6, 1],
      ];
      for (const line of lines) {
        await db.query(
          `INSERT INTO round_results (room_id, round, user_id, nickname, slot, score, won, ended_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 0)`,
          line,
        );
      }
      const before = toLeaderboard(await db.query(AGGREGATE, [10]));
      const storage = await Storage.open(db);
      try {
        expect(await storage.leaderboard(10)).toEqual(before);
        expect(before.map((entry) => [entry.user_id, entry.stars, entry.wins, entry.rounds])).toEqual([
          ['u-ada', 7, 1, 2],
          ['u-bo', 7, 1, 2],
          ['u-cy', 6, 1, 1],
        ]);
      } finally {
        await storage.close();
      }
    });

    it('totals equal the aggregate of the stored lines after many rounds, users in several rooms at once', async () => {
      const db = await engine.open();
      const storage = await Storage.open(db);
      try {
        const next = random(engine.name.length);
        const users = Array.from({ length: 40 }, (_, i) => `u${String(i).padStart(2, '0')}`);
        const rounds: FinishedRound[] = [];
        for (let round = 1; round <= 150; round++) {
          const seated = users.filter(() => next() < 0.2).slice(0, 8);
          if (seated.length === 0) continue;
          const scores = seated.map(() => Math.floor(next() * 12));
          const best = Math.max(...scores);
          rounds.push({
            roomId: `room${round % 5}`,
            round,
            endedAt: round,
            players: seated.map((userId, slot) => ({
              userId,
              nickname: `N-${userId}`,
              slot,
              score: scores[slot] ?? 0,
              won: scores[slot] === best,
            })),
          });
        }
        // Several rooms finish at once, as on a busy server (and across a cluster's nodes).
        for (let i = 0; i < rounds.length; i += 5) {
          await Promise.all(rounds.slice(i, i + 5).map((round) => storage.saveRoundResults(round)));
        }
        const aggregate = toLeaderboard(await db.query(AGGREGATE, [100]));
        expect(await storage.leaderboard(100)).toEqual(aggregate);
        expect(aggregate.length).toBeGreaterThan(30);
      } finally {
        await storage.close();
      }
    });

    it(`reads the top of an index, not an aggregate: ${BULK_LINES.toLocaleString('en')} round lines, old query beside new`, async () => {
      const db = await engine.open();
      await migrateTo(db, 3);
      const fill =
        db.dialect === 'postgres'
          ? `INSERT INTO round_results (room_id, round, user_id, nickname, slot, score, won, ended_at)
             SELECT 'r' || (i % 500), i / 500, 'u' || (i % ${BULK_USERS}), 'n' || (i % ${BULK_USERS}), i % 8,
                    (i * 7919) % 13, CASE WHEN i % 8 = 0 THEN 1 ELSE 0 END, i
             FROM generate_series(1, ${BULK_LINES}) AS s(i)`
          : `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${BULK_LINES})
             INSERT INTO round_results (room_id, round, user_id, nickname, slot, score, won, ended_at)
             SELECT 'r' || (i % 500), i / 500, 'u' || (i % ${BULK_USERS}), 'n' || (i % ${BULK_USERS}), i % 8,
                    (i * 7919) % 13, CASE WHEN i % 8 = 0 THEN 1 ELSE 0 END, i
             FROM s`;
      await db.query(fill);
      if (db.dialect === 'postgres') await db.query('ANALYZE round_results');
      const migrateStartedAt = performance.now();
      const storage = await Storage.open(db);
      const migrateMs = performance.now() - migrateStartedAt;
      try {
        if (db.dialect === 'postgres') await db.query('ANALYZE player_totals');
        const expected = toLeaderboard(await db.query(AGGREGATE, [TOTALS_LIMIT]));
        expect(await storage.leaderboard(TOTALS_LIMIT)).toEqual(expected);

        const plan = (
          await db.query(
            `${db.dialect === 'postgres' ? 'EXPLAIN' : 'EXPLAIN QUERY PLAN'}
             SELECT user_id, nickname, stars, wins, rounds FROM player_totals
             ORDER BY stars DESC, wins DESC, rounds ASC, user_id ASC LIMIT 20`,
          )
        )
          .map((row) => String(row['QUERY PLAN'] ?? row.detail))
          .join('\n');
        expect(plan).toContain('player_totals_rank');
        expect(plan).not.toMatch(/aggregate|GROUP BY|TEMP B-TREE|Sort/i);

        const aggregateMs = await medianMs(5, () => db.query(AGGREGATE, [TOTALS_LIMIT]));
        const totalsMs = await medianMs(21, () => storage.leaderboard(TOTALS_LIMIT));
        expect(totalsMs).toBeLessThan(aggregateMs);
        figures[`${engine.name}: aggregate of ${BULK_LINES} lines (before), median`] = `${aggregateMs.toFixed(2)} ms`;
        figures[`${engine.name}: player_totals (now), median`] = `${totalsMs.toFixed(2)} ms`;
        figures[`${engine.name}: migration 4 backfilling ${BULK_USERS} players`] = `${migrateMs.toFixed(0)} ms`;
      } finally {
        await storage.close();
      }
    });
  });
}
