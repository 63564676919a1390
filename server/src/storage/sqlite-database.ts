import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { Row, SqlDatabase } from './sql-database.ts';
import { StorageUnavailableError, sqliteUnavailableCode } from './storage-errors.ts';

/**
 * The embedded default: Node's built-in SQLite, one file in the data directory, no setup.
 * WAL with `synchronous=FULL`: a reply sent after a write survives a crash of the process or the
 * machine. Calls are synchronous underneath and take microseconds for this workload. There is no
 * busy timeout on purpose: waiting for a lock held by another process would block the event loop
 * that runs the games, so a locked file fails at once, like a full disk or an I/O error, with
 * `StorageUnavailableError`; the next call tries again.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite';
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;');
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      return this.#prepare(sql).all(...toSqlite(params)) as Row[];
    } catch (error) {
      throw classify(error);
    }
  }

  async transaction(statements: readonly { sql: string; params?: readonly unknown[] }[]): Promise<void> {
    try {
      this.#db.exec('BEGIN');
    } catch (error) {
      throw classify(error);
    }
    try {
      for (const { sql, params = [] } of statements) this.#prepare(sql).run(...toSqlite(params));
      this.#db.exec('COMMIT');
    } catch (error) {
      // SQLite rolls back by itself on some errors (SQLITE_FULL, SQLITE_IOERR): then ROLLBACK would
      // fail with "no transaction is active" and hide the error that matters.
      if (this.#db.isTransaction) {
        try {
          this.#db.exec('ROLLBACK');
        } catch {
          // The original error is the one to report.
        }
      }
      throw classify(error);
    }
  }

  /** One process owns the file: there is nobody to exclude. */
  exclusively<T>(_lockId: number, task: () => Promise<T>): Promise<T> {
    return task();
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      // `$1` → `?1`: SQLite's numbered parameters, so one statement text serves both engines.
      statement = this.#db.prepare(sql.replace(/\$(\d+)/g, '?$1'));
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

function classify(error: unknown): unknown {
  const code = sqliteUnavailableCode(error);
  return code ? new StorageUnavailableError('sqlite', code, error) : error;
}

function toSqlite(params: readonly unknown[]): SQLInputValue[] {
  return params.map((value) => {
    if (value === undefined) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    return value as SQLInputValue;
  });
}
