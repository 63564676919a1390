import type { SqlDatabase } from './sql-database.ts';

/** The only schema difference between the two engines: how an auto-increment key is declared. */
type Dialect = SqlDatabase['dialect'];
const identity = (dialect: Dialect): string =>
  dialect === 'postgres' ? 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';

interface Migration {
  readonly version: number;
  readonly name: string;
  statements(dialect: Dialect): string[];
}

/** Append-only: a released migration is never edited; add a new one instead. Times are epoch ms. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users and chat',
    statements: (dialect) => [
      `CREATE TABLE users (
        id TEXT PRIMARY KEY,
        nickname TEXT NOT NULL,
        color TEXT NOT NULL,
        created_at BIGINT NOT NULL
      )`,
      `CREATE TABLE chat_messages (
        id ${identity(dialect)},
        topic TEXT NOT NULL,
        user_id TEXT NOT NULL,
        nickname TEXT NOT NULL,
        body TEXT NOT NULL,
        inserted_at BIGINT NOT NULL
      )`,
      'CREATE INDEX chat_messages_topic_id ON chat_messages (topic, id)',
    ],
  },
  {
    version: 2,
    name: 'rooms',
    statements: () => [
      `CREATE TABLE rooms (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        max_players INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        closed_at BIGINT
      )`,
    ],
  },
  {
    version: 3,
    name: 'round results',
    statements: (dialect) => [
      // One row per player per finished round; the leaderboard sums them per user.
      `CREATE TABLE round_results (
        id ${identity(dialect)},
        room_id TEXT NOT NULL,
        round INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        nickname TEXT NOT NULL,
        slot INTEGER NOT NULL,
        score INTEGER NOT NULL,
        won INTEGER NOT NULL,
        ended_at BIGINT NOT NULL
      )`,
      'CREATE INDEX round_results_user_id ON round_results (user_id)',
    ],
  },
  {
    version: 4,
    name: 'player totals',
    statements: () => [
      // The leaderboard, kept up to date by saveRoundResults in the same transaction as the round's
      // lines, so a request reads the top rows of an index instead of summing every round.
      `CREATE TABLE player_totals (
        user_id TEXT PRIMARY KEY,
        nickname TEXT NOT NULL,
        stars BIGINT NOT NULL,
        wins BIGINT NOT NULL,
        rounds BIGINT NOT NULL
      )`,
      'CREATE INDEX player_totals_rank ON player_totals (stars DESC, wins DESC, rounds ASC, user_id ASC)',
      // Backfill from the rounds stored before this migration.
      `INSERT INTO player_totals (user_id, nickname, stars, wins, rounds)
       SELECT user_id, MAX(nickname), SUM(score), SUM(won), COUNT(*) FROM round_results GROUP BY user_id`,
    ],
  },
];

/** The advisory lock nodes of a cluster take to migrate one at a time ("SCMG" in ASCII). */
const MIGRATION_LOCK_ID = 0x53434d47;

/**
 * Applies every migration not yet recorded, each in its own transaction with its record. Nodes of
 * a cluster starting together take turns: without the lock two of them would both run
 * `CREATE TABLE` on a fresh database and one would fail.
 */
export function migrate(db: SqlDatabase): Promise<number[]> {
  return db.exclusively(MIGRATION_LOCK_ID, () => applyPending(db));
}

async function applyPending(db: SqlDatabase): Promise<number[]> {
  await db.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
  );
  const rows = await db.query('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((row) => Number(row.version)));
  const done: number[] = [];
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    await db.transaction([
      ...migration.statements(db.dialect).map((sql) => ({ sql })),
      {
        sql: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
        params: [migration.version, migration.name, Date.now()],
      },
    ]);
    done.push(migration.version);
  }
  return done;
}
