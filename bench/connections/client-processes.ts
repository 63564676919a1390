import { fork } from 'node:child_process';
import { nextMessage, stopChild } from '../support/child-process.ts';
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
    Promise.all(
      children.map((child) =>
        nextMessage(
          child,
          (message: FromClient): message is Extract<FromClient, { type: T }> => message.type === type,
          timeoutMs,
          `client process ${child.pid}`,
        ),
      ),
    );
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

/** The share of a ramp each client process takes. */
export interface RampShare {
  readonly target: number;
  readonly perProcess: number;
  readonly ratePerSec: number;
  readonly maxInFlight: number;
}

/**
 * Splits a ramp of `target` sockets over processes of at most `perProcess` each, with the rate and
 * the connects in flight shared in proportion; `common` is what every process gets alike.
 */
export function splitRamp(
  ramp: RampShare,
  common: Omit<ClientProcessConfig, 'firstUser' | 'count' | 'ratePerSec' | 'maxInFlight'>,
): ClientProcessConfig[] {
  const processCount = Math.max(1, Math.ceil(ramp.target / ramp.perProcess));
  const configs: ClientProcessConfig[] = [];
  for (let first = 0; first < ramp.target; ) {
    const count = Math.min(ramp.perProcess, ramp.target - first);
    configs.push({
      ...common,
      firstUser: first,
      count,
      ratePerSec: (ramp.ratePerSec * count) / ramp.target,
      maxInFlight: Math.max(1, Math.floor(ramp.maxInFlight / processCount)),
    });
    first += count;
  }
  return configs;
}
