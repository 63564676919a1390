/**
 * `WORKERS=2` and the process lifecycle (process-lifecycle.ts, workers.ts), on a throwaway Redis
 * and PostgreSQL: each worker has its own admin listener (ADMIN_PORT + its index); an uncaught
 * exception in one worker makes it drain and exit 1, and the primary restarts it while the other
 * worker keeps serving; a second SIGTERM to the primary kills the workers and exits at once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiPath, Topic } from '@starcatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../../../scripts/services/free-port.ts';
import type { RunningService } from '../../../scripts/services/redis.ts';
import { METRICS_PATH } from '../../src/http/metrics-route.ts';
import { ClientSockets, join as joinChannel, type SocketEvents, watchSocket } from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import { exitWithin, type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { alive, missingServices, startServices, workerLog } from './workers-support.ts';

const NODE_NAME = 'lifecycle';
const START_TIMEOUT_MS = 30_000;
/** The first restart waits RESTART_BACKOFF_INITIAL_MS (1 s), then the worker starts again. */
const RESTART_TIMEOUT_MS = 15_000;
/** Where ADMIN_PORT is picked: below the kernel's ephemeral ports (see `twoFreePorts`). */
const ADMIN_PORT_FLOOR = 20_000;
const ADMIN_PORT_SPAN = 10_000;

const missing = missingServices();

describe.skipIf(missing)('WORKERS=2: fatal errors, admin listeners, a second signal', () => {
  const services: RunningService[] = [];
  let dataDir: string | undefined;
  let primary: ServerProcess | undefined;
  let port = 0;
  let adminPort = 0;
  const sockets = new ClientSockets();
  const stuck: WebSocket[] = [];

  const {
    primaryLog,
    workerPid,
    listening,
    waitFor: waitForPrimary,
  } = workerLog(
    () => primary?.entries ?? [],
    () => primary?.tail(80) ?? '',
  );

  beforeAll(async () => {
    const { redisUrl, databaseUrl } = await startServices(services);
    dataDir = await mkdtemp(join(tmpdir(), 'starcatch-workers-lifecycle-'));
    port = await freePort();
    adminPort = await twoFreePorts();
    primary = await startServerProcess({
      dataDir,
      port,
      injectFault: true,
      env: {
        WORKERS: '2',
        REDIS_URL: redisUrl,
        DATABASE_URL: databaseUrl,
        NODE_NAME,
        ADMIN_PORT: String(adminPort),
      },
    });
    await waitForPrimary(() => listening(workerPid(0)) && listening(workerPid(1)), 'both workers', START_TIMEOUT_MS);
  }, START_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    for (const socket of stuck.splice(0)) socket.terminate();
    await sockets.disconnectAll();
    const pids = primaryLog('worker started').map((e) => e.workerPid as number);
    await primary?.kill();
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await Promise.all(services.map((service) => service.stop()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('each worker serves /metrics on its own admin port, ADMIN_PORT + its index; the shared game port does not', async () => {
    for (const offset of [0, 1]) {
      const { status, body } = await httpGet(adminPort + offset, METRICS_PATH);
      expect(status).toBe(200);
      expect(body).toContain('starcatch_sockets');
    }
    expect((await httpGet(port, METRICS_PATH)).status).toBe(404);
  });

  it(
    'an uncaught exception in one worker: it drains and exits 1, the primary restarts it, the other keeps serving',
    async () => {
      const victim = workerPid(1);
      if (victim === undefined) throw new Error('no worker 1');
      process.kill(victim, 'SIGUSR2');
      await waitForPrimary(
        () => primaryLog('worker died; restarting it').some((e) => e.workerPid === victim && e.code === 1),
        'the primary to see worker 1 exit with 1',
        RESTART_TIMEOUT_MS,
      );
      const fatal = primary?.entries.find((e) => e.level === 60 && e.pid === victim);
      expect(fatal).toMatchObject({ origin: 'uncaughtException', err: { message: 'injected uncaught exception' } });
      // Meanwhile the game port answers, from the surviving worker.
      for (let i = 0; i < 5; i++) expect((await httpGet(port, ApiPath.health)).status).toBe(200);
      await waitForPrimary(
        () => workerPid(1) !== victim && listening(workerPid(1)),
        'worker 1 restarted and listening',
        RESTART_TIMEOUT_MS,
      );
      // The admin listener opens just after the game port's "listening": ask until it answers.
      const deadline = Date.now() + RESTART_TIMEOUT_MS;
      let status = 0;
      while (status !== 200 && Date.now() < deadline) {
        status = await httpGet(adminPort + 1, METRICS_PATH).then(
          (response) => response.status,
          () => 0,
        );
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(status).toBe(200);
    },
    RESTART_TIMEOUT_MS * 2 + 10_000,
  );

  it('a second SIGTERM to the primary kills the workers and exits at once', async () => {
    const target = primary;
    if (!target) throw new Error('no primary');
    const workers = [workerPid(0), workerPid(1)] as number[];
    // Players, and clients that never answer a close frame: the drain would wait for them.
    const { token } = await target.signIn();
    const events: SocketEvents[] = [];
    for (let i = 0; i < 4; i++) {
      const socket = await sockets.open(target.socketUrl, { params: { token }, reconnectAfterMs: () => 60_000 });
      events.push(watchSocket(socket));
      await joinChannel(socket.channel(Topic.lobby));
      const ws = new WebSocket(`${target.socketUrl}/websocket?vsn=2.0.0&token=${token}`);
      stuck.push(ws);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.pause();
    }
    target.signal('SIGTERM');
    await waitFor(() => events.every((e) => e.closeCodes.length > 0), { what: 'every player to get its 1012' });
    for (const e of events) expect(e.closeCodes).toEqual([1012]);
    const secondAt = performance.now();
    target.signal('SIGTERM');
    const exit = await exitWithin(target, 3_000);
    expect(exit.code).toBe(1);
    expect(exit.at - secondAt).toBeLessThan(1_000);
    await waitFor(() => workers.every((pid) => !alive(pid)), { what: 'every worker to be gone' });
    expect(primaryLog('second signal: killing the workers and exiting now')).toHaveLength(1);
    console.info(`second SIGTERM to the primary: exit 1 in ${(exit.at - secondAt).toFixed(0)} ms, workers killed`);
  }, 20_000);
});

/**
 * A free port whose next port is free too (ADMIN_PORT and ADMIN_PORT + 1), below the range Linux
 * hands out for outgoing connections (32768 and up): a port from that range, free when chosen,
 * was at times the source port of a worker's own connection (to Redis or PostgreSQL) by the time
 * worker 1 bound it, and worker 1 died of EADDRINUSE.
 */
async function twoFreePorts(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = ADMIN_PORT_FLOOR + Math.floor(Math.random() * ADMIN_PORT_SPAN);
    if ((await portFree(first)) && (await portFree(first + 1))) return first;
  }
  throw new Error('no two consecutive free ports');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 1_000 });
    request.once('response', (response) => {
      response.resume();
      resolve(false);
    });
    request.once('error', () => resolve(true));
    request.once('timeout', () => {
      request.destroy();
      resolve(false);
    });
  });
}

/** A GET on a new connection each time (the primary hands each to the next worker). */
function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get({ host: '127.0.0.1', port, path, agent: false, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.once('timeout', () => request.destroy(new Error(`GET ${path} timed out`)));
    request.once('error', reject);
  });
}
