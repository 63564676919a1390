import type { ChatMessage, LeaderboardEntry, User } from '@starcatch/shared';
import type { FinishedRound } from '../game/round-results.ts';
import { migrate } from './migrations.ts';
import type { Row, SqlDatabase } from './sql-database.ts';

/** A room as stored: what is needed to reopen it after a restart. */
export interface StoredRoom {
  readonly id: string;
  readonly name: string;
  readonly maxPlayers: number;
}

export interface NewChatMessage {
  readonly topic: string;
  readonly userId: string;
  readonly nickname: string;
  readonly body: string;
}

/**
 * Everything the game persists, one method per question the game asks. The same SQL runs on the
 * embedded SQLite and on PostgreSQL. While the database is unavailable every method rejects with
 * `StorageUnavailableError` (see `storage-errors.ts`), and works again once it is back.
 */
export class Storage {
  readonly #db: SqlDatabase;

  private constructor(db: SqlDatabase) {
    this.#db = db;
  }

  /** Opens the storage and applies pending migrations. */
  static async open(db: SqlDatabase): Promise<Storage> {
    await migrate(db);
    return new Storage(db);
  }

  get engine(): SqlDatabase['dialect'] {
    return this.#db.dialect;
  }

  async saveUser(user: User): Promise<void> {
    await this.#db.query(
      `INSERT INTO users (id, nickname, color, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET nickname = excluded.nickname, color = excluded.color`,
      [user.id, user.nickname, user.color, Date.now()],
    );
  }

  async findUser(id: string): Promise<User | null> {
    const [row] = await this.#db.query('SELECT id, nickname, color FROM users WHERE id = $1', [id]);
    return row ? { id: String(row.id), nickname: String(row.nickname), color: String(row.color) } : null;
  }

  /** Stores a message and returns it with its id and time. */
  async insertChatMessage(message: NewChatMessage): Promise<ChatMessage> {
    const [row] = await this.#db.query(
      `INSERT INTO chat_messages (topic, user_id, nickname, body, inserted_at) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, user_id, nickname, body, inserted_at`,
      [message.topic, message.userId, message.nickname, message.body, Date.now()],
    );
    if (!row) throw new Error('insert returned no row');
    return toChatMessage(row);
  }

  /** The latest `limit` messages of a topic, oldest first. */
  async recentChatMessages(topic: string, limit: number): Promise<ChatMessage[]> {
    const rows = await this.#db.query(
      `SELECT id, user_id, nickname, body, inserted_at FROM chat_messages
       WHERE topic = $1 ORDER BY id DESC LIMIT $2`,
      [topic, limit],
    );
    return rows.map(toChatMessage).reverse();
  }

  /** Messages after `afterId`, oldest first, at most `limit` (catch-up after a reconnect). */
  async chatMessagesAfter(topic: string, afterId: number, limit: number): Promise<ChatMessage[]> {
    const rows = await this.#db.query(
      `SELECT id, user_id, nickname, body, inserted_at FROM chat_messages
       WHERE topic = $1 AND id > $2 ORDER BY id ASC LIMIT $3`,
      [topic, afterId, limit],
    );
    return rows.map(toChatMessage);
  }

  async saveRoom(room: StoredRoom): Promise<void> {
    await this.#db.query('INSERT INTO rooms (id, name, max_players, created_at) VALUES ($1, $2, $3, $4)', [
      room.id,
      room.name,
      room.maxPlayers,
      Date.now(),
    ]);
  }

  async markRoomClosed(id: string): Promise<void> {
    await this.#db.query('UPDATE rooms SET closed_at = $2 WHERE id = $1', [id, Date.now()]);
  }

  /** Rooms not closed yet, oldest first: reopened when the server starts. */
  async openRooms(): Promise<StoredRoom[]> {
    const rows = await this.#db.query(
      'SELECT id, name, max_players FROM rooms WHERE closed_at IS NULL ORDER BY created_at, id',
    );
    return rows.map((row) => ({ id: String(row.id), name: String(row.name), maxPlayers: Number(row.max_players) }));
  }

  /** Whether a room with this id ever existed and has closed. */
  async isRoomClosed(id: string): Promise<boolean> {
    const [row] = await this.#db.query('SELECT closed_at FROM rooms WHERE id = $1', [id]);
    return row !== undefined && row.closed_at !== null;
  }

  /**
   * Stores every player's line of a finished round and adds it to the player's totals, all or
   * nothing: the totals always equal the sum of the stored lines.
   */
  async saveRoundResults(round: FinishedRound): Promise<void> {
    const lines = round.players.map((player) => ({
      sql: `INSERT INTO round_results (room_id, round, user_id, nickname, slot, score, won, ended_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      params: [
        round.roomId,
        round.round,
        player.userId,
        player.nickname,
        player.slot,
        player.score,
        player.won ? 1 : 0,
        round.endedAt,
      ],
    }));
    // In user id order: two rounds sharing players (one user in two rooms, on two nodes) lock their
    // totals rows in the same order, so they wait for each other instead of deadlocking.
    const players = [...round.players].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
    const totals = players.map((player) => ({
      sql: `INSERT INTO player_totals (user_id, nickname, stars, wins, rounds) VALUES ($1, $2, $3, $4, 1)
            ON CONFLICT (user_id) DO UPDATE SET nickname = excluded.nickname,
              stars = player_totals.stars + excluded.stars, wins = player_totals.wins + excluded.wins,
              rounds = player_totals.rounds + 1`,
      params: [player.userId, player.nickname, player.score, player.won ? 1 : 0],
    }));
    await this.#db.transaction([...lines, ...totals]);
  }

  /**
   * The top `limit` players over every stored round: most stars first, then most wins, then fewer
   * rounds (the same stars in fewer rounds ranks higher). Read from `player_totals` through its
   * ranking index: the first `limit` entries of an index, whatever the number of rounds stored.
   */
  async leaderboard(limit: number): Promise<LeaderboardEntry[]> {
    const rows = await this.#db.query(
      `SELECT user_id, nickname, stars, wins, rounds FROM player_totals
       ORDER BY stars DESC, wins DESC, rounds ASC, user_id ASC LIMIT $1`,
      [limit],
    );
    return toLeaderboard(rows);
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

/** Ranked rows of `user_id, nickname, stars, wins, rounds` as the leaderboard's entries. */
export function toLeaderboard(rows: readonly Row[]): LeaderboardEntry[] {
  // BIGINT columns: numbers on both engines (postgres-database.ts parses int8); Number() for safety.
  return rows.map((row, index) => ({
    rank: index + 1,
    user_id: String(row.user_id),
    nickname: String(row.nickname),
    stars: Number(row.stars),
    wins: Number(row.wins),
    rounds: Number(row.rounds),
  }));
}

function toChatMessage(row: Row): ChatMessage {
  return {
    id: Number(row.id),
    user_id: String(row.user_id),
    nickname: String(row.nickname),
    body: String(row.body),
    inserted_at: new Date(Number(row.inserted_at)).toISOString(),
  };
}
