/**
 * `deploy/systemd/starcatch.service`: systemd itself parses it (`systemd-analyze verify`, skipped
 * where systemd-analyze is not installed), and the command it runs, with its environment and the
 * example environment file from its comments, starts the server the unit describes: it serves the
 * built client, a SIGTERM ends it with exit 0 (so `Restart=on-failure` leaves it stopped), and a
 * bad setting exits 78, the status `RestartPreventExitStatus` names.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ApiPath } from '@starcatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
const UNIT = resolve(REPO_ROOT, 'deploy', 'systemd', 'starcatch.service');
const START_TIMEOUT_MS = 20_000;

type Sections = Record<string, [key: string, value: string][]>;

/** The unit's sections as systemd reads them: `Key=value` lines, comments and blank lines skipped, repeats kept. */
function parseUnit(text: string): Sections {
  const sections: Sections = {};
  let current: [string, string][] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header?.[1]) {
      current = sections[header[1]] = [];
      continue;
    }
    const pair = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!pair?.[1] || pair[2] === undefined || !current) throw new Error(`not a unit line: ${raw}`);
    current.push([pair[1], pair[2]]);
  }
  return sections;
}

const values = (sections: Sections, section: string, key: string): string[] =>
  (sections[section] ?? []).filter(([name]) => name === key).map(([, value]) => value);

const systemdAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;

describe('the systemd unit example', () => {
  let text: string;
  let unit: Sections;
  let dir: string;

  beforeAll(async () => {
    text = await readFile(UNIT, 'utf8');
    unit = parseUnit(text);
    dir = await mkdtemp(join(tmpdir(), 'starcatch-systemd-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('restarts on failure, runs as its own user with an EnvironmentFile, and starts the server with node', () => {
    const service = (key: string) => values(unit, 'Service', key);
    expect(service('Restart')).toEqual(['on-failure']);
    expect(service('RestartPreventExitStatus')).toEqual(['78']);
    expect(service('User')).toEqual(['starcatch']);
    expect(service('EnvironmentFile')).toHaveLength(1);
    expect(service('ExecStart')).toEqual(['/usr/bin/node server/src/main.ts']);
    expect(service('Environment')).toEqual(
      expect.arrayContaining(['NODE_ENV=production', 'CLIENT_DIST=/opt/starcatch/client/dist']),
    );
    expect(values(unit, 'Install', 'WantedBy')).toEqual(['multi-user.target']);
  });

  it.skipIf(!systemdAnalyze)('passes `systemd-analyze verify` with nothing to say', async () => {
    // verify also checks that ExecStart's program exists: where /usr/bin/node is not there, the
    // copy names this test's node instead (the rest of the unit is checked as shipped).
    const hasUsrBinNode = spawnSync('/usr/bin/node', ['--version'], { stdio: 'ignore' }).status === 0;
    const copy = join(dir, 'starcatch.service');
    if (hasUsrBinNode) await copyFile(UNIT, copy);
    else await writeFile(copy, text.replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `));
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', copy], { encoding: 'utf8' });
    // verify exits 0 on unknown keys and misplaced settings, which it only warns about: those count too.
    expect({ status: result.status, stderr: result.stderr.trim() }).toEqual({ status: 0, stderr: '' });
  });

  /** Runs the unit's ExecStart the way systemd would: its working directory stand-in, and only its environment. */
  function execStart(env: Record<string, string>): { child: ChildProcess; lines: string[] } {
    const [program, ...args] = (values(unit, 'Service', 'ExecStart')[0] ?? '').split(' ');
    if (!program) throw new Error('no ExecStart');
    // /usr/bin/node on a test machine may be older than the server needs: run the same command with this node.
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => lines.push(line));
    }
    return { child, lines };
  }

  /** The unit's Environment= lines and the example environment file of its comments, pointed at this test's directories. */
  async function unitEnvironment(): Promise<Record<string, string>> {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    for (const assignment of values(unit, 'Service', 'Environment')) {
      const [key, ...rest] = assignment.split('=');
      if (key) env[key] = rest.join('=');
    }
    for (const match of text.matchAll(/^# {3}([A-Z_]+)=(.*)$/gm)) {
      if (match[1] && match[2] !== undefined) env[match[1]] = match[2];
    }
    expect(env).toMatchObject({ NODE_ENV: 'production', TRUSTED_PROXIES: '127.0.0.1', ADMIN_PORT: '9464' });
    const dist = join(dir, 'dist');
    await mkdir(dist, { recursive: true });
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>Starcatch from the unit</title>');
    return {
      ...env,
      // Free ports and loopback instead of the example's fixed ones; this test's directories for /opt and /var/lib.
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_PORT: '0',
      ADMIN_TOKEN: 'systemd-unit-test-admin-token',
      RTC_HOST_ADDRESSES: '127.0.0.1',
      CLIENT_DIST: dist,
      DATA_DIR: join(dir, 'data'),
    };
  }

  it('its command starts the server, which serves the client and exits 0 on SIGTERM', async () => {
    const { child, lines } = execStart(await unitEnvironment());
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        const deadline = performance.now() + START_TIMEOUT_MS;
        const timer = setInterval(() => {
          const match = lines.map((line) => /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line)).find(Boolean);
          if (match?.[1]) {
            clearInterval(timer);
            resolveUrl(match[1]);
          } else if (child.exitCode !== null || performance.now() > deadline) {
            clearInterval(timer);
            reject(new Error(`the server did not start:\n${lines.join('\n')}`));
          }
        }, 50);
      });
      expect((await fetch(`${url}${ApiPath.health}`)).status).toBe(200);
      expect(await (await fetch(`${url}/`)).text()).toContain('Starcatch from the unit');
      // ADMIN_PORT from the environment file: /metrics is not on the game port.
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toEqual([0, null]);
  });

  it('a bad setting exits 78, which RestartPreventExitStatus keeps from restarting in a loop', async () => {
    const { child, lines } = execStart({ ...(await unitEnvironment()), PORT: 'not-a-port' });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, lines.join('\n')).toBe(78);
    expect(lines.join('\n')).toContain('PORT');
  });
});
