import { type ChildProcess, fork } from 'node:child_process';
import type { FromServer, ServerKind, ToServer } from './bench-server.ts';

export interface CpuSample {
  readonly user: number;
  readonly system: number;
}

/** A server under test running in a child process of its own, queried over IPC. */
export interface ServerChild {
  readonly kind: ServerKind;
  readonly url: string;
  readonly pid: number;
  /** The child's cumulative CPU time, µs. */
  cpu(): Promise<CpuSample>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;
const STATS_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 10_000;

export interface ServerChildOptions {
  /** When set, the child runs under `--cpu-prof` and writes its profile here when it stops. */
  readonly profileDir?: string | undefined;
  /** Extra Node flags (e.g. `ONE_CORE_FLAG` for a child pinned to one CPU). */
  readonly nodeFlags?: readonly string[];
}

/** Forks `server-process.ts` for one kind of server. */
export async function startServerChild(kind: ServerKind, options: ServerChildOptions = {}): Promise<ServerChild> {
  const { profileDir, nodeFlags = [] } = options;
  const execArgv = [
    ...nodeFlags,
    ...(profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${kind}-${Date.now()}.cpuprofile`]
      : []),
  ];
  const child = fork(new URL('./server-process.ts', import.meta.url), [kind], {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${kind} server did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.on('message', function onMessage(raw) {
      const message = raw as FromServer;
      if (message.type === 'ready' || message.type === 'failed') {
        clearTimeout(timer);
        child.off('message', onMessage);
        if (message.type === 'ready') resolve(message.url);
        else reject(new Error(`${kind} server failed to start: ${message.message}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited with code ${code} while starting`));
    });
  });

  let nextId = 0;
  return {
    kind,
    url,
    pid: child.pid ?? -1,
    cpu: () => askCpu(child, nextId++),
    stop: () => stopChild(child),
  };
}

function askCpu(child: ChildProcess, id: number): Promise<CpuSample> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error('server did not answer a stats request'));
    }, STATS_TIMEOUT_MS);
    const onMessage = (raw: unknown): void => {
      const message = raw as FromServer;
      if (message.type !== 'stats' || message.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve({ user: message.user, system: message.system });
    };
    child.on('message', onMessage);
    child.send({ type: 'stats', id } satisfies ToServer);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send({ type: 'stop' } satisfies ToServer);
  });
}
