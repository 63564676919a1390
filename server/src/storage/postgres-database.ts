import pg from 'pg';
import type { Row, SqlDatabase } from './sql-database.ts';
import { breaksPostgresConnection, postgresUnavailableCode, StorageUnavailableError } from './storage-errors.ts';

// BIGINT (int8) columns hold millisecond timestamps and ids well inside 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Connections the pool opens at most. */
export const PG_POOL_SIZE = 10;
/**
 * How long getting a connection may take (opening one, or waiting for a free one) before the call
 * fails as unavailable: 5 s. A server that refuses connections fails at once; this bounds the wait
 * for one that does not answer (a network partition, a host that is gone).
 */
export const PG_CONNECT_TIMEOUT_MS = 5_000;
/** `statement_timeout`: the server cancels a statement running longer than 5 s (57014). */
export const PG_STATEMENT_TIMEOUT_MS = 5_000;
/**
 * `query_timeout`: the client gives up on a reply after 7 s, for a server too far gone to cancel
 * by itself; longer than the statement timeout so that one normally fires first. The connection is
 * then dropped.
 */
export const PG_QUERY_TIMEOUT_MS = 7_000;
/** An idle connection is closed after 10 s. */
export const PG_IDLE_TIMEOUT_MS = 10_000;

export interface PostgresOptions {
  readonly poolSize?: number;
  readonly connectTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  readonly queryTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  /**
   * Told about an idle connection that failed (the server restarted or was stopped: "terminating
   * connection due to administrator command"); the pool has already dropped it, and the next query
   * opens a new one. Unset: one JSON line on stderr, as the server's logger would write it.
   */
  readonly onIdleError?: (error: Error) => void;
}

/**
 * PostgreSQL through a connection pool, used when `DATABASE_URL` is set. A fault of the database
 * (down, restarting, unreachable, too slow) rejects the call with `StorageUnavailableError`; the
 * pool recovers by itself when the server is back, with no restart.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres';
  readonly #pool: pg.Pool;

  constructor(connectionString: string, options: PostgresOptions = {}) {
    this.#pool = new pg.Pool({
      connectionString,
      max: options.poolSize ?? PG_POOL_SIZE,
      connectionTimeoutMillis: options.connectTimeoutMs ?? PG_CONNECT_TIMEOUT_MS,
      statement_timeout: options.statementTimeoutMs ?? PG_STATEMENT_TIMEOUT_MS,
      query_timeout: options.queryTimeoutMs ?? PG_QUERY_TIMEOUT_MS,
      idleTimeoutMillis: options.idleTimeoutMs ?? PG_IDLE_TIMEOUT_MS,
      // Notices a dead peer (a host that vanished without closing) on idle connections.
      keepAlive: true,
    });
    // Without a listener, an idle client's error is an unhandled 'error' event: the process dies.
    const onIdleError = options.onIdleError ?? logIdleError;
    this.#pool.on('error', (error) => onIdleError(error));
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      const result = await this.#pool.query(sql, [...params]);
      return result.rows as Row[];
    } catch (error) {
      // pool.query already dropped the client if the error broke it.
      throw this.#classify(error);
    }
  }

  async transaction(statements: readonly { sql: string; params?: readonly unknown[] }[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw this.#classify(error);
    }
    // A checked-out client has no pool listener: its connection dropping between two statements
    // would otherwise be an unhandled 'error' event. The next statement fails with it anyway.
    let broken: Error | undefined;
    const onError = (error: Error): void => {
      broken ??= error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      for (const { sql, params = [] } of statements) await client.query(sql, [...params]);
      await client.query('COMMIT');
    } catch (error) {
      if (breaksPostgresConnection(error)) broken ??= error as Error;
      if (!broken) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The original error is the one to report; a client that cannot roll back is not reused.
          broken = rollbackError as Error;
        }
      }
      throw this.#classify(error);
    } finally {
      client.off('error', onError);
      // With an error, the pool closes the client instead of handing it out again.
      client.release(broken);
    }
  }

  async exclusively<T>(lockId: number, task: () => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw this.#classify(error);
    }
    const onError = (): void => {};
    client.on('error', onError);
    try {
      // Session-level: held by this connection until unlocked; the task's own queries use others.
      await client.query('SELECT pg_advisory_lock($1)', [lockId]);
      try {
        return await task();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [lockId]);
      }
    } finally {
      client.off('error', onError);
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  #classify(error: unknown): unknown {
    const code = postgresUnavailableCode(error);
    return code ? new StorageUnavailableError(this.dialect, code, error) : error;
  }
}

function logIdleError(error: Error): void {
  const line = {
    level: 40,
    time: Date.now(),
    err: { type: error.name, message: error.message, code: (error as { code?: unknown }).code },
    msg: 'PostgreSQL connection lost while idle; the pool dropped it',
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}
