import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../../scripts/services/free-port.ts';

const execFileAsync = promisify(execFile);

/** How `pg_ctl stop` ends the server: `fast` ends every session (57P01 to each client), `immediate` kills. */
export type StopMode = 'smart' | 'fast' | 'immediate';

/**
 * A throwaway PostgreSQL cluster (Debian's `postgresql` package) in a temporary directory, on a
 * free loopback port, with `trust` authentication and `fsync=off`. The storage tests share one
 * (the Vitest global setup); a test that stops or restarts PostgreSQL starts its own.
 */
export interface PostgresServer {
  /** `postgres://starcatch@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** `pg_ctl start`, resolving once it accepts connections. */
  start(): Promise<void>;
  /** `pg_ctl stop -m <mode>` (default `fast`), resolving once it is down. */
  stop(mode?: StopMode): Promise<void>;
  /** `pg_ctl restart -m <mode>` (default `fast`), resolving once it accepts connections again. */
  restart(mode?: StopMode): Promise<void>;
  /** Stops it at once (if running) and deletes its directory. Synchronous, for teardown. */
  dispose(): void;
}

/** The newest installed PostgreSQL's `bin` directory, or null where none is installed. */
export function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb'))) return bin;
  }
  return null;
}

/** Creates and starts a cluster; `bin` from `findPostgresBin`. */
export async function startPostgresServer(bin: string): Promise<PostgresServer> {
  const asRoot = process.getuid?.() === 0;
  // initdb refuses to run as root: run the cluster as the `postgres` user the package creates.
  const command = (name: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, name), ...args]] : [join(bin, name), args];
  const run = async (name: string, args: string[]): Promise<void> => {
    const [file, argv] = command(name, args);
    await execFileAsync(file, argv);
  };
  const dir = mkdtempSync(join(tmpdir(), 'starcatch-pg-'));
  if (asRoot) {
    const uid = execFileSync('id', ['-u', 'postgres']).toString().trim();
    const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
    chownSync(dir, Number(uid), Number(gid));
  }
  const port = await freePort();
  const data = join(dir, 'data');
  const log = join(dir, 'log');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  await run('initdb', ['-D', data, '-U', 'starcatch', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
  const start = () => run('pg_ctl', ['-D', data, '-l', log, '-w', '-o', options, 'start']);
  await start();
  let disposed = false;
  return {
    url: `postgres://starcatch@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop: (mode = 'fast') => run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']),
    restart: (mode = 'fast') => run('pg_ctl', ['-D', data, '-l', log, '-m', mode, '-w', '-o', options, 'restart']),
    dispose() {
      if (disposed) return;
      disposed = true;
      const [file, argv] = command('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      spawnSync(file, argv);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
