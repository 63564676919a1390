/**
 * Builds @starcatch/phoenix before any test file loads: the server and the tests import the
 * package as its users do, through its built `dist/`, which must not lag behind its source.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

export default function setup(): void {
  const packageRoot = resolve(import.meta.dirname, '../../phoenix');
  const typescript = createRequire(resolve(packageRoot, 'package.json')).resolve('typescript/package.json');
  const tsc = resolve(dirname(typescript), 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: packageRoot, stdio: 'inherit' });
}
