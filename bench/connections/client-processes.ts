import { type ChildProcess, fork } from 'node:child_process';
import { stopChild } from '../support/child-process.ts';
import type { ClientProcessConfig, FinishReport, FromClient, RampReport, ToClient } from './client-protocol.ts';

/** The load generator: several `client-process.ts` children, driven together. */
export interface ClientProcesses {
  readonly pids: readonly number[];
  /** Starts every ramp at `startAt` (clock ms) and resolves with each process's report. */
  ramp(startAt: number, timeoutMs: number): Promise<RampReport[]>;
  /** Counts the survivors, then has every process close its sockets. */
  finish(): Promise<FinishReport[]>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
const FINISH_TIMEOUT_MS = 15_000;

export async function startClientProcesses(configs: readonly ClientProcessConfig[]): Promise<ClientProcesses> {
  const children = configs.map((config) =>
    fork(new URL('./client-process.ts', import.meta.url), [JSON.stringify(config)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    }),
  );
  const all = <T extends FromClient['type']>(type: T, timeoutMs: number) =>
    Promise.all(children.map((child) => nextMessage(child, type, timeoutMs)));
  const stop = (): Promise<void> =>
    Promise.all(children.map((child) => stopChild(child, 'disconnect'))).then(() => undefined);
  try {
    await all('ready', READY_TIMEOUT_MS);
  } catch (cause) {
    await stop();
    throw cause;
  }
  return {
    pids: children.map((child) => child.pid ?? -1),
    ramp(startAt, timeoutMs) {
      const reports = all('ramped', timeoutMs);
      for (const child of children) child.send({ type: 'start', startAt } satisfies ToClient);
      return reports;
    },
    finish() {
      const reports = all('finished', FINISH_TIMEOUT_MS);
      for (const child of children) child.send({ type: 'finish' } satisfies ToClient);
      return reports;
    },
    stop,
  };
}

/** The child's next message of `type`; rejects on `failed`, an exit or the timeout. */
function nextMessage<T extends FromClient['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<FromClient, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`client process sent no '${type}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (raw: unknown): void => {
      const message = raw as FromClient;
      if (message.type === 'failed') {
        cleanup();
        reject(new Error(`client process failed: ${message.message}`));
      } else if (message.type === type) {
        cleanup();
        resolve(message as Extract<FromClient, { type: T }>);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`client process exited (${code}) before '${type}'`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
