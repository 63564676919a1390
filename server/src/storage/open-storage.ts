import { join } from 'node:path';
import { PostgresDatabase, type PostgresOptions } from './postgres-database.ts';
import { SqliteDatabase } from './sqlite-database.ts';
import { Storage } from './storage.ts';

export const SQLITE_FILE = 'starcatch.sqlite';

/** PostgreSQL when a URL is given, else the embedded SQLite file in the data directory. */
export function openStorage(
  databaseUrl: string | undefined,
  dataDir: string,
  postgres: PostgresOptions = {},
): Promise<Storage> {
  const db = databaseUrl ? new PostgresDatabase(databaseUrl, postgres) : new SqliteDatabase(join(dataDir, SQLITE_FILE));
  return Storage.open(db);
}
