import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { machineBusyPercent, readMachineCpu } from '../support/machine-cpu.ts';
import { clock } from '../support/measure.ts';
import type { FromWorker, LoadClient, LoadWorkerConfig, ToWorker, WorkerReport } from './load-protocol.ts';

export interface LoadOptions {
  readonly url: string;
  readonly rooms: number;
  readonly roomSize: number;
  readonly ratePerClient: number;
  readonly bodyBytes: number;
  readonly workers: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  readonly drainMs: number;
  /** Called when the measured window opens and closes (e.g. to sample the server's CPU). */
  readonly onWindowStart: () => Promise<void>;
  readonly onWindowEnd: () => Promise<void>;
}

export interface LoadResult {
  /** Pushes sent inside the window, and the deliveries they should have caused. */
  readonly sent: number;
  readonly expected: number;
  readonly delivered: number;
  /** Sorted ascending, ms. */
  readonly latencies: Float64Array;
  readonly errorReplies: number;
  readonly closedEarly: number;
  /** CPU of this whole process (main thread + workers) over the window, µs. */
  readonly generatorCpuMicros: number;
  /** Actual length of the window as the coordinator saw it, ms. */
  readonly windowMs: number;
  /** Whole-machine busy CPU over the window, % of one core; NaN where /proc/stat is missing. */
  readonly machineCpuPercent: number;
}

const SETUP_TIMEOUT_MS = 20_000;

/**
 * Runs one load pattern against a server: `rooms × roomSize` Phoenix clients spread over worker
 * threads, each pushing `ratePerClient` chat messages per second. Every phase is time-bounded; a
 * worker that fails or hangs rejects the run and all workers are terminated.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const shares: LoadClient[][] = Array.from({ length: options.workers }, () => []);
  let index = 0;
  for (let room = 0; room < options.rooms; room++) {
    for (let member = 0; member < options.roomSize; member++) {
      shares[index % options.workers]?.push({ room, user: `u${room}-${member}` });
      index++;
    }
  }
  const workerUrl = new URL('./load-worker.ts', import.meta.url);
  const workers = shares.map((clients) => {
    const config: LoadWorkerConfig = {
      url: options.url,
      clients,
      ratePerClient: options.ratePerClient,
      bodyBytes: options.bodyBytes,
      warmupMs: options.warmupMs,
      measureMs: options.measureMs,
      drainMs: options.drainMs,
      setupTimeoutMs: SETUP_TIMEOUT_MS,
    };
    return new Worker(workerUrl, { workerData: config });
  });

  const ready = workers.map((worker) => nextMessage(worker, 'ready', SETUP_TIMEOUT_MS + 5000));
  const done = workers.map((worker) =>
    nextMessage(worker, 'done', SETUP_TIMEOUT_MS + options.warmupMs + options.measureMs + options.drainMs + 10_000),
  );
  // Any failure surfaces through `ready` first; keep the `done` promises from going unhandled meanwhile.
  for (const pending of done) pending.catch(() => undefined);
  try {
    await Promise.all(ready);
    const startAt = clock() + 100;
    for (const worker of workers) worker.postMessage({ type: 'start', startAt } satisfies ToWorker);

    const windowStart = startAt + options.warmupMs;
    await sleep(windowStart - clock());
    const cpuBefore = process.cpuUsage();
    const machineBefore = readMachineCpu();
    const openedAt = clock();
    await options.onWindowStart();
    await sleep(windowStart + options.measureMs - clock());
    await options.onWindowEnd();
    const windowMs = clock() - openedAt;
    const cpu = process.cpuUsage(cpuBefore);
    const machineAfter = readMachineCpu();
    const machineCpuPercent =
      machineBefore && machineAfter
        ? machineBusyPercent(machineBefore, machineAfter, os.availableParallelism())
        : Number.NaN;

    const reports = (await Promise.all(done)) as WorkerReport[];
    const latencies = new Float64Array(reports.reduce((n, r) => n + r.latencies.length, 0));
    let at = 0;
    for (const report of reports) {
      latencies.set(report.latencies, at);
      at += report.latencies.length;
    }
    latencies.sort();
    const sent = sum(reports, (r) => r.sent);
    return {
      sent,
      expected: sent * options.roomSize,
      delivered: sum(reports, (r) => r.delivered),
      latencies,
      errorReplies: sum(reports, (r) => r.errorReplies),
      closedEarly: sum(reports, (r) => r.closedEarly),
      generatorCpuMicros: cpu.user + cpu.system,
      windowMs,
      machineCpuPercent,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((total, item) => total + pick(item), 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** The worker's next message of `type`; rejects on a `failed` message, an exit or the timeout. */
function nextMessage(worker: Worker, type: 'ready' | 'done', timeoutMs: number): Promise<FromWorker> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`load worker sent no '${type}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: FromWorker): void => {
      if (message.type === 'failed') {
        cleanup();
        reject(new Error(`load worker failed: ${message.message}`));
      } else if (message.type === type) {
        cleanup();
        resolve(message);
      }
    };
    const onError = (cause: Error): void => {
      cleanup();
      reject(cause);
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`load worker exited with code ${code} before '${type}'`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
