/**
 * A throwaway PostgreSQL cluster (Debian's `postgresql` package): `initdb` into a temporary
 * directory, `trust` authentication for the user `starcatch`, loopback only, a free port, the
 * Unix socket in that directory, no fsync. `stop` shuts it down and removes the directory. As root
 * the binaries run as the `postgres` user the package creates (initdb refuses to run as root).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import type { RunningService } from './redis.ts';

export type { RunningService } from './redis.ts';

/** How long `initdb` may take (it writes a few MB; `--no-sync` skips the flush). */
export const POSTGRES_INITDB_TIMEOUT_MS = 60_000;
/** How long the server may take to accept connections after `pg_ctl start`. */
export const POSTGRES_START_TIMEOUT_MS = 30_000;
/** How long a fast shutdown may take before `stop` falls back to an immediate one. */
export const POSTGRES_STOP_TIMEOUT_MS = 15_000;
const BIN_ROOT = '/usr/lib/postgresql';

/** The newest installed PostgreSQL's `bin` directory, or undefined where none is installed. */
export function findPostgresBin(): string | undefined {
  if (!existsSync(BIN_ROOT)) return undefined;
  const versions = readdirSync(BIN_ROOT).sort((a, b) => Number(b) - Number(a));
  return versions.map((version) => join(BIN_ROOT, version, 'bin')).find((bin) => existsSync(join(bin, 'initdb')));
}

/** Creates and starts a cluster; resolves once it accepts connections. */
export async function start(): Promise<RunningService> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      `PostgreSQL not found under ${BIN_ROOT}: install the postgresql package (apt-get install postgresql)`,
    );
  }
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'starcatch-pg-'));
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  const pgCtl = (args: string[], timeoutMs: number) => run(bin, 'pg_ctl', ['-D', data, ...args], asRoot, timeoutMs);
  let running = false;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (running) {
        const seconds = String(Math.ceil(POSTGRES_STOP_TIMEOUT_MS / 1000));
        await pgCtl(['-m', 'fast', '-w', '-t', seconds, 'stop'], POSTGRES_STOP_TIMEOUT_MS + 5_000).catch(() =>
          pgCtl(['-m', 'immediate', '-w', 'stop'], POSTGRES_STOP_TIMEOUT_MS).catch(() => undefined),
        );
      }
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    const port = await freePort();
    await run(
      bin,
      'initdb',
      ['-D', data, '-U', 'starcatch', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
      asRoot,
      POSTGRES_INITDB_TIMEOUT_MS,
    );
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    running = true;
    const seconds = String(Math.ceil(POSTGRES_START_TIMEOUT_MS / 1000));
    await pgCtl(['-l', log, '-w', '-t', seconds, '-o', options, 'start'], POSTGRES_START_TIMEOUT_MS + 5_000).catch(
      (error: unknown) => {
        const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-10).join('\n') : '';
        throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tail}`.trim());
      },
    );
    return { url: `postgres://starcatch@127.0.0.1:${port}/postgres`, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The `postgres` user's ids (the package creates that user). */
function postgresUser(): { uid: number; gid: number } {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('no postgres user: install the postgresql package (apt-get install postgresql)');
  }
}

/**
 * Runs one PostgreSQL program (as `postgres` when we are root) in its own process group, so the
 * server `pg_ctl` leaves behind does not get the launcher's Ctrl-C; rejects with its output when
 * it fails or outlives `timeoutMs`.
 */
function run(bin: string, name: string, args: string[], asRoot: boolean, timeoutMs: number): Promise<void> {
  const program = join(bin, name);
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const capture = (chunk: Buffer): void => {
      if (output.length < 8_192) output += chunk.toString();
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not finish within ${timeoutMs} ms:\n${output.trim()}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${name} could not run: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${name} failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
    });
  });
}
