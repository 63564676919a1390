/**
 * The PostgreSQL pool's timeouts and broken connections, on the shared throwaway cluster: each
 * fault is real (a statement that runs too long, a server that never answers, a backend killed
 * mid-transaction) and each comes out as `StorageUnavailableError`, with the pool usable after it.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PG_CONNECT_TIMEOUT_MS, PostgresDatabase } from '../../src/storage/postgres-database.ts';
import { StorageUnavailableError } from '../../src/storage/storage-errors.ts';

const databaseUrl = inject('databaseUrl');

describe.skipIf(!databaseUrl)('the PostgreSQL pool', () => {
  const url = databaseUrl ?? '';
  let admin: PostgresDatabase;
  beforeAll(() => {
    admin = new PostgresDatabase(url);
  });
  afterAll(() => admin.close());

  it('sets statement_timeout on every connection and reports a statement cut short as unavailable', async () => {
    expect(await admin.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '5s' }]);
    const db = new PostgresDatabase(url, { statementTimeoutMs: 100 });
    try {
      const error = await db.query('SELECT pg_sleep(2)').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect(error).toMatchObject({ engine: 'postgres', code: '57014' });
      // The server cancelled the statement and kept the session: the pool goes on.
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('gives up on a reply after query_timeout when the server itself does not cancel', async () => {
    const db = new PostgresDatabase(url, { statementTimeoutMs: 0, queryTimeoutMs: 100 });
    try {
      await expect(db.query('SELECT pg_sleep(1)')).rejects.toMatchObject({
        name: 'StorageUnavailableError',
        code: 'timeout',
      });
      expect(await db.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
    } finally {
      await db.close();
    }
  });

  describe('against a server that accepts connections and never answers', () => {
    let silent: Server;
    const held: Socket[] = [];
    let port = 0;
    beforeAll(async () => {
      silent = createServer((socket) => held.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      port = (silent.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    it('fails a query after the connect timeout, not never', async () => {
      expect(PG_CONNECT_TIMEOUT_MS).toBe(5_000);
      const db = new PostgresDatabase(`postgres://starcatch@127.0.0.1:${port}/postgres`, { connectTimeoutMs: 200 });
      try {
        const startedAt = performance.now();
        await expect(db.query('SELECT 1')).rejects.toMatchObject({ name: 'StorageUnavailableError' });
        await expect(db.transaction([{ sql: 'SELECT 1' }])).rejects.toMatchObject({ name: 'StorageUnavailableError' });
        expect(performance.now() - startedAt).toBeLessThan(2_000);
      } finally {
        await db.close();
      }
    });
  });

  it('drops a connection killed mid-transaction and reports the kill, not the failed ROLLBACK', async () => {
    const name = `t_${Math.random().toString(36).slice(2, 10)}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const db = new PostgresDatabase(url.replace(/\/postgres$/, `/${name}`), { poolSize: 1 });
    try {
      await db.query('CREATE TABLE marks (n INTEGER)');
      const marker = `mid_transaction_${name}`;
      const transaction = db
        .transaction([
          { sql: 'INSERT INTO marks (n) VALUES ($1)', params: [1] },
          { sql: `SELECT pg_sleep(2) AS ${marker}` },
        ])
        .catch((e: unknown) => e);
      // Kill the backend while it sleeps inside the transaction.
      for (let killed = 0; killed === 0; ) {
        const rows = await admin.query(
          `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
           WHERE query LIKE $1 AND pid <> pg_backend_pid()`,
          [`%AS ${marker}%`],
        );
        killed = rows.length;
        if (killed === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const error = await transaction;
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect(error).toMatchObject({ code: '57P01' });
      // One connection in the pool, and it was broken: the next call gets a fresh one.
      await db.transaction([{ sql: 'INSERT INTO marks (n) VALUES ($1)', params: [2] }]);
      expect(await db.query('SELECT n FROM marks ORDER BY n')).toEqual([{ n: 2 }]);
    } finally {
      await db.close();
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    }
  });
});
