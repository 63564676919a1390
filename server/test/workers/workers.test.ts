/**
 * `WORKERS=N`: one `node server/src/main.ts` becomes a primary forking N workers behind one port.
 * Runs the real thing on a throwaway Redis and PostgreSQL (`scripts/services`): both workers
 * answer, a worker killed with SIGKILL comes back, SIGTERM stops them all. Plus the refusals.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ApiPath, type User } from '@starcatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../scripts/services/free-port.ts';
import type { RunningService } from '../../../scripts/services/redis.ts';
import { ClientSockets } from '../integration/phoenix-client.ts';
import { sleep } from '../integration/wait-for.ts';
import { GameBot } from '../support/game-bot.ts';
import { signInGuest } from '../support/guest-sign-in.ts';
import { REPO_ROOT, SERVER_ENTRY } from '../support/server-child.ts';
import { alive, missingServices, startServices, workerLog } from './workers-support.ts';

/** Two cold workers (type stripping, migrations, Redis), one after the other, on a loaded machine. */
const START_TIMEOUT_MS = 30_000;
/** The first restart waits RESTART_BACKOFF_INITIAL_MS (1 s), then the worker starts again. */
const RESTART_TIMEOUT_MS = 15_000;
/** At most this many WebRTC peers are opened until both workers hold one. */
const MAX_PEERS = 8;
/** How long a worker may take to see the other in the cluster's presence. */
const PRESENCE_TIMEOUT_MS = 10_000;
/** Every worker drains and exits, then the primary. */
const STOP_TIMEOUT_MS = 15_000;
/** A config refusal happens before anything starts. */
const REFUSAL_TIMEOUT_MS = 10_000;
const SECRET_KEY = 'workers-test-secret-key-that-is-long-enough';
const NODE_NAME = 'workers-test';
const WORKER_NODES = [`${NODE_NAME}-w0`, `${NODE_NAME}-w1`];

/** Only what a config refusal needs: no REDIS_URL, DATABASE_URL, … inherited from the caller. */
const BARE_ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

/** A log line: pino's JSON, from the primary (`role: "primary"`) or a worker. */
type Entry = Record<string, unknown> & { msg?: string };

const missing = missingServices();

describe('WORKERS refusals', () => {
  it('WORKERS=2 without REDIS_URL exits 78 with one line naming REDIS_URL', async () => {
    const { code, stderr } = await runToExit({ ...BARE_ENV, WORKERS: '2' });
    expect(code).toBe(78);
    expect(stderr.trim().split('\n')).toEqual([
      'invalid configuration:',
      expect.stringMatching(/^ {2}REDIS_URL: WORKERS=2 .*set REDIS_URL/),
    ]);
  });

  it('REDIS_URL without DATABASE_URL exits 78 naming DATABASE_URL', async () => {
    const { code, stderr } = await runToExit({ ...BARE_ENV, REDIS_URL: 'redis://127.0.0.1:1', SECRET_KEY });
    expect(code).toBe(78);
    expect(stderr.trim().split('\n')).toEqual([
      'invalid configuration:',
      expect.stringMatching(/^ {2}DATABASE_URL: DATABASE_URL is required when REDIS_URL is set/),
    ]);
  });

  it('a WebRTC port range too small for the workers exits 78 naming RTC_PORT_MIN and RTC_PORT_MAX', async () => {
    const { code, stderr } = await runToExit({
      ...BARE_ENV,
      WORKERS: '4',
      REDIS_URL: 'redis://127.0.0.1:1',
      DATABASE_URL: 'postgres://starcatch@127.0.0.1:1/postgres',
      SECRET_KEY,
      RTC_PORT_MIN: '50000',
      RTC_PORT_MAX: '50009',
    });
    expect(code).toBe(78);
    expect(stderr).toContain('RTC_PORT_MIN..RTC_PORT_MAX holds 10 ports; WORKERS=4 needs at least');
  });
});

describe('UDP in workers', () => {
  const UDP_FIXTURE = resolve(import.meta.dirname, 'udp-fixture.ts');
  const portsPerWorker = async (exclusive: boolean): Promise<number[][]> => {
    const child = spawn(process.execPath, [UDP_FIXTURE], {
      env: { ...BARE_ENV, EXCLUSIVE: exclusive ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), REFUSAL_TIMEOUT_MS);
    await once(child, 'close');
    clearTimeout(timer);
    return stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { ports: number[] }).ports);
  };

  it('node:cluster alone shares port-0 UDP sockets between workers (why bindUdpExclusively exists)', async () => {
    const [first, second] = await portsPerWorker(false);
    expect(first).toEqual(second);
  });

  it('with bindUdpExclusively each worker binds its own UDP sockets', async () => {
    const [first = [], second = []] = await portsPerWorker(true);
    expect(first).toHaveLength(3);
    expect(second).toHaveLength(3);
    expect(first.filter((port) => second.includes(port))).toEqual([]);
  });
});

describe.skipIf(missing !== null)('WORKERS=2', () => {
  const services: RunningService[] = [];
  let dataDir: string | undefined;
  let primary: ChildProcess | undefined;
  let port = 0;
  const entries: Entry[] = [];
  const raw: string[] = [];

  const {
    primaryLog,
    workerPid: currentPid,
    listening,
    waitFor: waitForServer,
  } = workerLog(
    () => entries,
    () => raw.slice(-80).join('\n'),
  );

  beforeAll(async () => {
    const { redisUrl, databaseUrl } = await startServices(services);
    dataDir = await mkdtemp(join(tmpdir(), 'starcatch-workers-'));
    port = await freePort();
    primary = spawn(process.execPath, [SERVER_ENTRY], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        WORKERS: '2',
        HOST: '127.0.0.1',
        PORT: String(port),
        REDIS_URL: redisUrl,
        DATABASE_URL: databaseUrl,
        SECRET_KEY,
        NODE_NAME,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [primary.stdout, primary.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        raw.push(line);
        try {
          entries.push(JSON.parse(line) as Entry);
        } catch {}
      });
    }
    await waitForServer(
      () => listening(currentPid(0)) && listening(currentPid(1)),
      'both workers listening',
      START_TIMEOUT_MS,
    );
  }, START_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    // Whatever a failed test left running: the primary and every worker it ever started.
    const pids = primaryLog('worker started').map((entry) => entry.workerPid as number);
    if (primary && primary.exitCode === null && primary.signalCode === null) {
      const exited = once(primary, 'exit');
      primary.kill('SIGKILL');
      await exited;
    }
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await Promise.all(services.map((service) => service.stop()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('two workers, each its own cluster node, answer on the one port', async () => {
    expect(new Set([currentPid(0), currentPid(1)]).size).toBe(2);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(String((await health(port)).node));
    expect([...seen].sort()).toEqual(WORKER_NODES);
    // Each sees the other through Redis (cluster presence): wait until both have said so.
    const complete = new Set<string>();
    const deadline = Date.now() + PRESENCE_TIMEOUT_MS;
    let last: Record<string, unknown> = {};
    while (complete.size < 2 && Date.now() < deadline) {
      last = await health(port);
      if (JSON.stringify(last.nodes) === JSON.stringify(WORKER_NODES)) complete.add(String(last.node));
      else await sleep(100);
    }
    expect(last.nodes).toEqual(WORKER_NODES);
    expect([...complete].sort()).toEqual(WORKER_NODES);
  }, 30_000);

  it("WebRTC peers on both workers open their DataChannels (each worker's own UDP sockets)", async () => {
    const sockets = new ClientSockets();
    const bots: GameBot[] = [];
    try {
      // Connections go round-robin to the workers, but other connections (sign-in, health) interleave:
      // add peers until both workers hold some.
      let peers = new Map<string, number>();
      while (bots.length < MAX_PEERS) {
        const user = await signIn(port, `peer${bots.length}`);
        const bot = await GameBot.connect(
          { socketUrl: `ws://127.0.0.1:${port}/socket`, signIn: async () => user },
          sockets,
        );
        bots.push(bot);
        // Both channels open: ICE, DTLS and SCTP went both ways between the bot and its worker.
        await bot.openPeer();
        peers = await peersByNode(port);
        if ([...peers.values()].filter((count) => count > 0).length === 2) break;
      }
      expect([...peers.keys()].sort()).toEqual(WORKER_NODES);
      expect([...peers.values()].every((count) => count > 0)).toBe(true);
      expect([...peers.values()].reduce((sum, count) => sum + count, 0)).toBe(bots.length);
    } finally {
      await Promise.all(bots.map((bot) => bot.close()));
      await sockets.disconnectAll();
    }
  }, 30_000);

  it(
    'a worker killed with SIGKILL is restarted',
    async () => {
      const victim = currentPid(1);
      if (victim === undefined) throw new Error('no worker 1');
      process.kill(victim, 'SIGKILL');
      await waitForServer(
        () => primaryLog('worker died; restarting it').some((e) => e.workerPid === victim && e.signal === 'SIGKILL'),
        "the primary to notice worker 1's death",
        RESTART_TIMEOUT_MS,
      );
      await waitForServer(
        () => currentPid(1) !== victim && listening(currentPid(1)),
        'worker 1 restarted and listening',
        RESTART_TIMEOUT_MS,
      );
      expect(alive(victim)).toBe(false);
      // The new worker is a new node (its predecessor's leases and presences are a dead node's).
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) seen.add(String((await health(port)).node));
      expect([...seen].sort()).toEqual([WORKER_NODES[0], `${WORKER_NODES[1]}.1`]);
    },
    RESTART_TIMEOUT_MS * 2 + 10_000,
  );

  it(
    'SIGTERM to the primary stops every worker, then the primary',
    async () => {
      const child = primary;
      if (!child) throw new Error('no primary');
      const workers = [currentPid(0), currentPid(1)] as number[];
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      const started = Date.now();
      child.kill('SIGTERM');
      const [code] = await Promise.race([
        exited,
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`primary still running after ${STOP_TIMEOUT_MS} ms:\n${raw.slice(-40).join('\n')}`)),
            STOP_TIMEOUT_MS,
          ),
        ),
      ]);
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(STOP_TIMEOUT_MS);
      for (const pid of workers) expect(alive(pid)).toBe(false);
      expect(primaryLog('worker exited').map((entry) => entry.code)).toEqual([0, 0]);
      // No restart once shutting down.
      expect(primaryLog('worker started')).toHaveLength(3);
      expect(entries.filter((entry) => entry.msg === 'shutting down')).toHaveLength(2);
    },
    STOP_TIMEOUT_MS + 5_000,
  );
});

/** Runs the server with exactly `env` and resolves with its exit code and stderr. */
async function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [SERVER_ENTRY], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), REFUSAL_TIMEOUT_MS);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stderr };
}

/** `GET /api/v1/health` on a new connection each time, so the primary hands each to the next worker. */
function health(port: number): Promise<Record<string, unknown>> {
  return new Promise((resolveHealth, reject) => {
    const request = get({ host: '127.0.0.1', port, path: ApiPath.health, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        try {
          resolveHealth(JSON.parse(body) as Record<string, unknown>);
        } catch (error) {
          reject(error);
        }
      });
    });
    request.once('timeout', () => request.destroy(new Error('health request timed out')));
    request.once('error', reject);
  });
}

/** Each worker's `peers`, from health answers until both workers have answered. */
async function peersByNode(port: number): Promise<Map<string, number>> {
  const peers = new Map<string, number>();
  for (let i = 0; i < 20 && peers.size < 2; i++) {
    const answer = await health(port);
    peers.set(String(answer.node), Number(answer.peers));
  }
  return peers;
}

function signIn(port: number, nickname: string): Promise<{ token: string; user: User }> {
  return signInGuest(`http://127.0.0.1:${port}`, nickname);
}
