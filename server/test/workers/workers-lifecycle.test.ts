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
import { Topic } from '@starcatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as postgres from '../../../scripts/services/postgres.ts';
import * as redis from '../../../scripts/services/redis.ts';
import { ClientSockets, join as joinChannel, type SocketEvents, watchSocket } from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import { exitWithin, type ServerProcess, startServerProcess } from '../support/server-process.ts';

const NODE_NAME = 'lifecycle';
const START_TIMEOUT_MS = 30_000;
/** The first restart waits RESTART_BACKOFF_INITIAL_MS (1 s), then the worker starts again. */
const RESTART_TIMEOUT_MS = 15_000;

const missing = !redis.findOnPath('redis-server')
  ? 'redis-server is not installed'
  : !postgres.findPostgresBin()
    ? 'PostgreSQL is not installed'
    : null;
if (missing && process.env.CI) throw new Error(`${missing}; CI needs it`);

describe.skipIf(missing)('WORKERS=2: fatal errors, admin listeners, a second signal', () => {
  let services: redis.RunningService[] = [];
  let dataDir: string | undefined;
  let primary: ServerProcess | undefined;
  let port = 0;
  let adminPort = 0;
  const sockets = new ClientSockets();
  const stuck: WebSocket[] = [];

  const primaryLog = (msg: string) => (primary?.entries ?? []).filter((e) => e.role === 'primary' && e.msg === msg);
  const workerPid = (index: number): number | undefined =>
    primaryLog('worker started').findLast((e) => e.worker === index)?.workerPid as number | undefined;
  const listening = (pid: number | undefined) =>
    pid !== undefined && primaryLog('worker listening').some((e) => e.workerPid === pid);
  const waitForPrimary = async (check: () => boolean, what: string, timeoutMs: number): Promise<void> => {
    try {
      await waitFor(check, { what, timeoutMs });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- server output ---\n${primary?.tail(80)}`);
    }
  };

  beforeAll(async () => {
    const started = await Promise.allSettled([redis.start(), postgres.start()]);
    services = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    const [redisService, postgresService] = services as [redis.RunningService, redis.RunningService];
    dataDir = await mkdtemp(join(tmpdir(), 'starcatch-workers-lifecycle-'));
    port = await redis.freePort();
    adminPort = await twoFreePorts();
    primary = await startServerProcess({
      dataDir,
      port,
      injectFault: true,
      env: {
        WORKERS: '2',
        REDIS_URL: redisService.url,
        DATABASE_URL: postgresService.url,
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
      const { status, body } = await httpGet(adminPort + offset, '/metrics');
      expect(status).toBe(200);
      expect(body).toContain('starcatch_sockets');
    }
    expect((await httpGet(port, '/metrics')).status).toBe(404);
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
      for (let i = 0; i < 5; i++) expect((await httpGet(port, '/api/v1/health')).status).toBe(200);
      await waitForPrimary(
        () => workerPid(1) !== victim && listening(workerPid(1)),
        'worker 1 restarted and listening',
        RESTART_TIMEOUT_MS,
      );
      // The admin listener opens just after the game port's "listening": ask until it answers.
      const deadline = Date.now() + RESTART_TIMEOUT_MS;
      let status = 0;
      while (status !== 200 && Date.now() < deadline) {
        status = await httpGet(adminPort + 1, '/metrics').then(
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A free port whose next port is free too (ADMIN_PORT and ADMIN_PORT + 1). */
async function twoFreePorts(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await redis.freePort();
    if (first < 65_535 && (await portFree(first + 1))) return first;
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
