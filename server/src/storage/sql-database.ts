/** A row as the driver returns it: column name → value. */
export type Row = Record<string, unknown>;

/**
 * The few things the storage needs from a SQL engine. Statements are written once, in the common
 * subset of PostgreSQL and SQLite, with `$1`-style parameters; each adapter translates what differs.
 */
export interface SqlDatabase {
  readonly dialect: 'sqlite' | 'postgres';
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs the statements atomically, in order. */
  transaction(statements: readonly { sql: string; params?: readonly unknown[] }[]): Promise<void>;
  /**
   * Runs `task` while holding a lock that every process sharing the database respects (a
   * PostgreSQL advisory lock; a no-op for the embedded SQLite, which one process owns).
   */
  exclusively<T>(lockId: number, task: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
