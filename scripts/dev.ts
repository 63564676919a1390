/**
 * `pnpm dev`: the Phoenix library's build, the server and the Vite dev server side by side, each in
 * watch mode, their output prefixed, all stopped together on Ctrl-C or as soon as one of them exits.
 *
 * STARCATCH_SERVER_PORT (default 4000) is where the server listens and where Vite proxies `/api`
 * and `/socket`; everything after `--` goes to Vite (`pnpm dev -- --port 3000 --host`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { color, formatPinoLine, paint } from './terminal-log.ts';

const root = resolve(import.meta.dirname, '..');
const serverPort = process.env.STARCATCH_SERVER_PORT ?? '4000';
/** How long a child may take to exit after SIGTERM before it gets SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;

const tscBin = resolve(dirname(fileURLToPath(import.meta.resolve('typescript/package.json'))), 'bin', 'tsc');
const viteBin = resolve(dirname(fileURLToPath(import.meta.resolve('vite/package.json'))), 'bin', 'vite.js');

interface Task {
  readonly name: string;
  readonly prefix: string;
  readonly child: ChildProcess;
  /** The child's output, line by line (stdout and stderr). */
  readonly lines: EventEmitter;
}

let stopping = false;
let exitCode = 0;
const tasks: Task[] = [];

// The server imports @starcatch/phoenix from its build (dist/), as any user of the package would:
// rebuild it on every change, and start the server once the first build is written.
const library = start(
  'phoenix',
  33,
  [process.execPath, tscBin, '-p', 'server/phoenix/tsconfig.build.json', '--watch', '--preserveWatchOutput'],
  {},
  (line) => line,
);
await new Promise<void>((built) =>
  library.lines.on('line', (line) => /Watching for file changes/.test(line) && built()),
);
start('server', 36, [process.execPath, '--watch', 'server/src/main.ts'], { PORT: serverPort }, (line) =>
  formatPinoLine(line, ['pid']),
);
start(
  'vite',
  35,
  [process.execPath, viteBin, ...process.argv.slice(2).filter((arg) => arg !== '--')],
  { STARCATCH_SERVER_PORT: serverPort },
  (line) => line,
);

// Ctrl-C reaches the children too (same process group); stopping them here covers `kill <pid>` as well.
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);

function start(
  name: string,
  colorCode: number,
  [command, ...args]: string[],
  env: Record<string, string>,
  format: (line: string) => string,
): Task {
  const child = spawn(command as string, args, {
    cwd: root,
    env: { ...process.env, FORCE_COLOR: color ? '1' : '0', ...env },
    stdio: ['inherit', 'pipe', 'pipe'],
  });
  const prefix = paint(colorCode, `[${name}]`.padEnd(8));
  const lines = new EventEmitter();
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      console.log(`${prefix} ${format(line)}`);
      lines.emit('line', line);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.log(`${prefix} exited (${signal ?? `code ${code}`}); stopping the rest`);
      exitCode = code ?? 1;
    }
    stopAll();
    if (tasks.every((t) => t.child.exitCode !== null || t.child.signalCode !== null)) process.exit(exitCode);
  });
  const task = { name, prefix, child, lines };
  tasks.push(task);
  return task;
}

function stopAll(): void {
  if (stopping) return;
  stopping = true;
  for (const { child } of tasks) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS).unref();
  }
}
