import pg from 'pg';
import type { Row, SqlDatabase } from './sql-database.ts';

// BIGINT (int8) columns hold millisecond timestamps and ids well inside 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** PostgreSQL through a connection pool, used when `DATABASE_URL` is set. */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres';
  readonly #pool: pg.Pool;

  constructor(connectionString: string) {
    this.#pool = new pg.Pool({ connectionString, max: 10 });
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.#pool.query(sql, [...params]);
    return result.rows as Row[];
  }

  async transaction(statements: readonly { sql: string; params?: readonly unknown[] }[]): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      for (const { sql, params = [] } of statements) await client.query(sql, [...params]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
