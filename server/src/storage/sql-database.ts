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
  close(): Promise<void>;
}
