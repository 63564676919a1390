/**
 * `ADMIN_PORT`: /metrics and the operator routes on a listener of their own (loopback by default),
 * outside the game port's connection cap. The game port then answers 404 for them, even when it
 * serves the client's app shell for every other GET. Players on the game port are unaffected by
 * what happens on the admin port, except for the operator's own actions.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransportPath } from '@starcatch/phoenix';
import { AdminPath, ApiPath, SOCKET_PATH, Topic } from '@starcatch/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.ts';
import { METRICS_PATH } from '../../src/http/metrics-route.ts';
import { ClientSockets, join as joinChannel, watchSocket } from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const ADMIN_TOKEN = 'admin-token-for-the-admin-listener';
const CAP = 2;

describe('the ADMIN_PORT listener', () => {
  let server: TestServer;
  let adminUrl: string;
  let clientDist: string;
  const sockets = new ClientSockets();
  const raw: WebSocket[] = [];

  beforeAll(async () => {
    clientDist = await mkdtemp(join(tmpdir(), 'starcatch-dist-'));
    await writeFile(join(clientDist, 'index.html'), '<!doctype html><title>Starcatch</title>');
    server = await startTestServer({ ADMIN_PORT: '0', ADMIN_TOKEN, CLIENT_DIST: clientDist });
    adminUrl = await listenAdmin(server);
  });
  afterEach(async () => {
    for (const socket of raw.splice(0)) socket.terminate();
    await sockets.disconnectAll();
    await waitFor(() => server.app.socket.connectionCount === 0, { what: 'every socket to close' });
  });
  afterAll(async () => {
    await server?.close();
    await rm(clientDist, { recursive: true, force: true });
  });

  const adminPost = (url: string, path: string) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

  it('serves /metrics and the operator routes; the game port answers 404 for them, and still serves the app', async () => {
    const metrics = await fetch(`${adminUrl}${METRICS_PATH}`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('starcatch_sockets');

    const onGamePort = await fetch(`${server.httpUrl}${METRICS_PATH}`);
    expect(onGamePort.status).toBe(404);
    expect(await onGamePort.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await fetch(`${server.httpUrl}${METRICS_PATH}?x=1`)).status).toBe(404);
    expect((await adminPost(server.httpUrl, AdminPath.disconnect('u1'))).status).toBe(404);
    expect((await adminPost(server.httpUrl, AdminPath.closePeers('u1'))).status).toBe(404);

    // The game port is the game's: health, the API and the app shell are there, not on the admin port.
    expect((await fetch(`${server.httpUrl}${ApiPath.health}`)).status).toBe(200);
    const shell = await fetch(`${server.httpUrl}/rooms/abc`);
    expect(shell.status).toBe(200);
    expect(await shell.text()).toContain('<title>Starcatch</title>');
    expect((await fetch(`${adminUrl}${ApiPath.health}`)).status).toBe(404);
    expect((await fetch(`${adminUrl}${SOCKET_PATH}${TransportPath.websocket}`)).status).toBe(404);
  });

  it('answers while the game port is at its connection cap, and its own connections never count', async () => {
    const capped = await startTestServer({ ADMIN_PORT: '0', MAX_CONNECTIONS: String(CAP) });
    try {
      const cappedAdmin = await listenAdmin(capped);
      const token = capped.app.tokens.sign({ id: 'capped', nickname: 'Capped', color: '#ffd93d' });
      const players = [];
      for (let i = 0; i < CAP; i++) {
        const { result, socket } = await rawConnect(capped, token);
        expect(result).toBe('open');
        players.push(socket);
      }
      expect((await rawConnect(capped, token)).result).toBe('refused');

      // Ten kept-alive admin connections while the game port is full: none refused, none takes a slot.
      const scrapes = await Promise.all(Array.from({ length: 10 }, () => fetch(`${cappedAdmin}/metrics`)));
      expect(scrapes.map((response) => response.status)).toEqual(Array(10).fill(200));
      expect(await scrapes[0]?.text()).toMatch(/^starcatch_sockets 2$/m);
      expect((await rawConnect(capped, token)).result).toBe('refused');
      for (const player of players) expect(player.readyState).toBe(WebSocket.OPEN);
      players[0]?.terminate();
      await waitFor(() => capped.app.socket.connectionCount === CAP - 1, { what: 'a slot to free' });
      expect((await rawConnect(capped, token)).result).toBe('open');
    } finally {
      await capped.close();
    }
  });

  it("an operator's disconnect on the admin port closes that user's sockets only", async () => {
    const target = await server.signIn('Target');
    const bystander = await server.signIn('Bystander');
    const targetSocket = await sockets.open(server.socketUrl, { params: { token: target.token } });
    const bystanderSocket = await sockets.open(server.socketUrl, { params: { token: bystander.token } });
    const lobby = bystanderSocket.channel(Topic.lobby);
    await joinChannel(lobby);
    const targetEvents = watchSocket(targetSocket);
    const bystanderEvents = watchSocket(bystanderSocket);

    const response = await adminPost(adminUrl, AdminPath.disconnect(target.user.id));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ disconnected: 1 });
    await waitFor(() => targetEvents.closeCodes.includes(1001), { what: 'the target to be kicked' });
    expect(bystanderEvents.closeCodes).toEqual([]);
    expect(lobby.state).toBe('joined');
    expect((await fetch(`${adminUrl}${AdminPath.disconnect('x')}`, { method: 'POST' })).status).toBe(401);
  });

  it('closes with the game server', async () => {
    const other = await startTestServer({ ADMIN_PORT: '0' });
    await other.app.admin?.listen({ port: 0, host: '127.0.0.1' });
    expect(other.app.admin?.server.listening).toBe(true);
    await other.close();
    expect(other.app.admin?.server.listening).toBe(false);
  });

  /** A raw upgrade on the game port: `open`, or `refused` when the cap resets it. */
  function rawConnect(target: TestServer, token: string): Promise<{ result: 'open' | 'refused'; socket: WebSocket }> {
    const socket = new WebSocket(`${target.socketUrl}/websocket?vsn=2.0.0&token=${token}`);
    raw.push(socket);
    return new Promise((resolve) => {
      socket.once('open', () => resolve({ result: 'open', socket }));
      socket.once('error', () => resolve({ result: 'refused', socket }));
    });
  }
});

/** Listens on the app's admin listener (loopback, any port) and returns its URL. */
async function listenAdmin(server: TestServer): Promise<string> {
  const admin = server.app.admin;
  if (!admin) throw new Error('ADMIN_PORT is set: buildApp makes an admin listener');
  await admin.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(admin.server.address() as AddressInfo).port}`;
}

describe('ADMIN_PORT / ADMIN_HOST configuration', () => {
  it('is off by default; binds loopback unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ adminPort: undefined, adminHost: '127.0.0.1' });
    expect(loadConfig({ ADMIN_PORT: '9100' })).toMatchObject({ adminPort: 9100, adminHost: '127.0.0.1' });
    expect(loadConfig({ ADMIN_PORT: '9100', ADMIN_HOST: '10.0.0.5' }).adminHost).toBe('10.0.0.5');
  });

  it('gives worker i of WORKERS=N the port ADMIN_PORT + i, and refuses a clash with PORT', () => {
    const worker = {
      WORKERS: '3',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATABASE_URL: 'postgres://x@127.0.0.1/x',
      SECRET_KEY: 'k'.repeat(32),
      ADMIN_PORT: '9100',
    };
    expect(loadConfig({ ...worker, STARCATCH_WORKER_INDEX: '2' }).adminPort).toBe(9102);
    expect(loadConfig({ ...worker, ADMIN_PORT: '0', STARCATCH_WORKER_INDEX: '2' }).adminPort).toBe(0);
    expect(() => loadConfig({ PORT: '9100', ADMIN_PORT: '9100' })).toThrow(/ADMIN_PORT must differ from PORT/);
    expect(() => loadConfig({ ...worker, PORT: '9101' })).toThrow(/ADMIN_PORT must differ from PORT/);
    expect(() => loadConfig({ ...worker, ADMIN_PORT: '65535' })).toThrow(/over 65535/);
  });
});
