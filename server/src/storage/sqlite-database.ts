import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { Row, SqlDatabase } from './sql-database.ts';

/**
 * The embedded default: Node's built-in SQLite, one file in the data directory, no setup.
 * WAL with `synchronous=FULL`: a reply sent after a write survives a crash of the process or the
 * machine. Calls are synchronous underneath and take microseconds for this workload.
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
    return this.#prepare(sql).all(...toSqlite(params)) as Row[];
  }

  async transaction(statements: readonly { sql: string; params?: readonly unknown[] }[]): Promise<void> {
    this.#db.exec('BEGIN');
    try {
      for (const { sql, params = [] } of statements) this.#prepare(sql).run(...toSqlite(params));
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
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

function toSqlite(params: readonly unknown[]): SQLInputValue[] {
  return params.map((value) => {
    if (value === undefined) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    return value as SQLInputValue;
  });
}
