/**
 * Creating a room while the database cannot be written answers `storage_unavailable` (transient,
 * try again), not `storage_failed`, and works again once the database is back, with no restart.
 * The real server on SQLite; another process holds the file's lock meanwhile (SQLITE_BUSY).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ErrorCode, LobbyEvent, Topic } from '@starcatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../../src/storage/open-storage.ts';
import { ClientSockets, join as joinChannel, push } from '../integration/phoenix-client.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

describe('room:create during a database outage', () => {
  let server: TestServer;
  let dataDir: string;
  const sockets = new ClientSockets();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'starcatch-create-busy-'));
    server = await startTestServer({ DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await sockets.disconnectAll();
    await server.close();
  });

  it('answers storage_unavailable while the file is locked, opens nothing, and creates once it is free', async () => {
    const { token } = await server.signIn();
    const socket = await sockets.open(server.socketUrl, { params: { token } });
    const lobby = socket.channel(Topic.lobby);
    await joinChannel(lobby);
    const existing = await push(lobby, LobbyEvent.createRoom, { name: 'Before', max_players: 4 });
    expect(existing.status).toBe('ok');

    const locker = new DatabaseSync(join(dataDir, SQLITE_FILE));
    try {
      locker.exec('BEGIN EXCLUSIVE');
      const refused = await push(lobby, LobbyEvent.createRoom, { name: 'During', max_players: 4 });
      expect(refused).toEqual({
        status: 'error',
        response: { reason: ErrorCode.storageUnavailable, message: expect.stringContaining('database') },
      });
      expect(server.app.rooms.list().map((room) => room.name)).toEqual(['Before']);
      // What needs no write goes on: quick play finds the open room.
      expect(await push(lobby, LobbyEvent.quickPlay, {})).toMatchObject({
        status: 'ok',
        response: { room: { name: 'Before' } },
      });
      locker.exec('ROLLBACK');
    } finally {
      locker.close();
    }

    expect(await push(lobby, LobbyEvent.createRoom, { name: 'After', max_players: 4 })).toMatchObject({
      status: 'ok',
      response: { room: { name: 'After' } },
    });
  });
});
