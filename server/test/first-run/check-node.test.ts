import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const SCRIPT = resolve(ROOT, 'scripts', 'check-node.cjs');
/** Debian's Node, older than the project needs on the machines this was written on (Node 20). */
const SYSTEM_NODE = '/usr/bin/node';

const { checkNode } = createRequire(import.meta.url)(SCRIPT) as {
  checkNode(version: string, executable?: string): string | null;
};
const packageJson = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};

function run(node: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(node, [SCRIPT], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `[major, minor]` of the Node at `path`, or null when there is none. */
function versionOf(path: string): [number, number] | null {
  if (!existsSync(path)) return null;
  const text = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  const [major = 0, minor = 0] = text.split('.').map(Number);
  return [major, minor];
}

const systemVersion = versionOf(SYSTEM_NODE);
const systemNodeIsOld =
  systemVersion !== null && (systemVersion[0] < 22 || (systemVersion[0] === 22 && systemVersion[1] < 18));

describe('scripts/check-node.cjs', () => {
  it('passes silently on the Node running the tests', () => {
    expect(run(process.execPath)).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it.skipIf(!systemNodeIsOld)(`stops ${SYSTEM_NODE} (an old Node) with one line: found, needed, how to get it`, () => {
    const { status, stdout, stderr } = run(SYSTEM_NODE);

    expect(status).toBe(1);
    expect(stdout).toBe('');
    const found = execFileSync(SYSTEM_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    expect(stderr).toBe(
      `Starcatch needs Node.js >= 22.18, but this is Node.js ${found} (${SYSTEM_NODE}). ` +
        'Get Node 24: "nvm install" in this directory (it reads .nvmrc), or "npm install -g node@24".\n',
    );
  });

  it('draws the line at engines.node in package.json', () => {
    expect(packageJson.engines.node).toBe('>=22.18');
    expect(checkNode('22.18.0')).toBeNull();
    expect(checkNode('v22.19.1')).toBeNull();
    expect(checkNode('23.0.0')).toBeNull();
    expect(checkNode('24.22.3')).toBeNull();
    expect(checkNode('22.17.9')).toContain('this is Node.js 22.17.9.');
    expect(checkNode('v18.20.4', '/opt/node')).toContain('this is Node.js 18.20.4 (/opt/node).');
    expect(checkNode('12.22.0')).not.toContain('\n');
  });

  it('runs first in every command that starts TypeScript, and before pnpm installs anything', () => {
    const check = 'node scripts/check-node.cjs';
    expect(packageJson.scripts.preinstall).toBe(check);
    for (const name of ['dev', 'start', 'test', 'cluster', 'bench']) {
      expect(packageJson.scripts[name], name).toMatch(new RegExp(`^${check} && `));
    }
  });

  it('the version files name a Node that passes', () => {
    for (const file of ['.nvmrc', '.node-version']) {
      const version = readFileSync(resolve(ROOT, file), 'utf8').trim();
      expect(version, file).toBe('24');
      expect(checkNode(`${version}.0.0`), file).toBeNull();
    }
  });
});
