/**
 * Nodes of a cluster that start together on a fresh PostgreSQL database migrate it one at a time:
 * without the advisory lock, two `CREATE TABLE`s race and one node dies at start.
 */
import { describe, expect, inject, it } from 'vitest';
import { MIGRATIONS } from '../../src/storage/migrations.ts';
import { PostgresDatabase } from '../../src/storage/postgres-database.ts';
import { Storage } from '../../src/storage/storage.ts';
import { freshDatabase } from '../support/cluster-process.ts';

const serverUrl = inject('databaseUrl');

describe.skipIf(serverUrl === null)('migrations on a shared database', () => {
  it('lets several processes open a fresh database at the same moment', async () => {
    const url = await freshDatabase(serverUrl ?? '');
    const storages = await Promise.all([0, 1, 2, 3].map(() => Storage.open(new PostgresDatabase(url))));
    try {
      const db = new PostgresDatabase(url);
      const rows = await db.query('SELECT version FROM schema_migrations ORDER BY version');
      await db.close();
      expect(rows.map((row) => Number(row.version))).toEqual(MIGRATIONS.map((migration) => migration.version));
    } finally {
      await Promise.all(storages.map((storage) => storage.close()));
    }
  });
});
