import { allowedCpus, pinLoadSide, releaseLoadSide } from './affinity.ts';
import { type ClusterFanoutComparison, type ClusterFanoutRun, runFanoutPart } from './fanout.ts';
import { type LatencyOptions, type LatencyResult, runLatencyPart } from './latency.ts';
import { Resources, releaseOnSignal } from './resources.ts';
import { type BenchPostgres, startPostgres } from './services.ts';
import { runWorkersPart, type WorkersOptions, type WorkersRun } from './workers.ts';

/**
 * `node bench/run.ts --only cluster`: what running as a cluster costs. Four parts, each against
 * its own baseline of the same run (see bench/README.md):
 *
 * 1. input → acknowledging snapshot of players on the room's host vs on another node, same room,
 *    same window, over WebRTC and over the WebSocket fallback;
 * 2. WebSocket fan-out CPU per delivery on 2 nodes sharing Redis vs 1 node without;
 * 3. server CPU per WebRTC player with WORKERS=2 vs WORKERS=1;
 * 4. Redis messages and bytes per room and per player, from part 1's windows less idle traffic.
 *
 * A part that fails is reported and the next one still runs. Everything it started is stopped.
 */
export interface ClusterOptions {
  readonly latency: LatencyOptions;
  readonly fanout: {
    readonly warmupMs: number;
    readonly measureMs: number;
    readonly drainMs: number;
    readonly bodyBytes: number;
    readonly rounds: number;
  };
  readonly workers: WorkersOptions;
}

export interface ClusterResult {
  /** What ran where, or why nothing was pinned. */
  readonly pinning: {
    readonly server: string | undefined;
    readonly load: string | undefined;
    readonly note: string;
  };
  readonly latency?: LatencyResult;
  readonly fanout?: { readonly runs: ClusterFanoutRun[]; readonly comparisons: ClusterFanoutComparison[] };
  readonly workers?: WorkersRun[];
  /** Parts that failed, with why. */
  readonly failures: readonly string[];
  readonly seconds: number;
}

export async function runClusterSuite(options: ClusterOptions, log: (line: string) => void): Promise<ClusterResult> {
  const startedAt = performance.now();
  const resources = new Resources();
  const unregister = releaseOnSignal(resources, log);
  const plan = pinLoadSide();
  const failures: string[] = [];
  const result: {
    latency?: LatencyResult;
    fanout?: { runs: ClusterFanoutRun[]; comparisons: ClusterFanoutComparison[] };
    workers?: WorkersRun[];
  } = {};
  const part = async (name: string, run: () => Promise<void>): Promise<void> => {
    if (resources.closed) return;
    try {
      await run();
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      failures.push(`${name}: ${message}`);
      log(`cluster: ${name} FAILED: ${message}`);
    }
  };
  try {
    log(
      plan
        ? `cluster: servers, Redis and PostgreSQL pinned to CPU ${plan.server}; bench, generator and bots to CPU ${plan.load}`
        : 'cluster: not pinned (fewer than 2 CPUs, or no taskset)',
    );
    // Parts 1 and 3 need PostgreSQL (every node of a cluster shares one database); part 2 only Redis.
    let postgres: BenchPostgres | undefined;
    await part('PostgreSQL', async () => {
      const started = await startPostgres(plan);
      postgres = started;
      resources.add('PostgreSQL', () => started.stop());
    });
    await part('host vs remote latency', async () => {
      if (!postgres) throw new Error('skipped: no PostgreSQL');
      result.latency = await runLatencyPart(options.latency, plan, postgres, resources, log);
    });
    await part('fan-out 1 node vs 2 nodes', async () => {
      result.fanout = await runFanoutPart(options.fanout, plan, resources, log);
    });
    await part('WORKERS=2 vs WORKERS=1', async () => {
      if (!postgres) throw new Error('skipped: no PostgreSQL');
      result.workers = await runWorkersPart(options.workers, plan, postgres, resources, log);
    });
  } finally {
    await resources.releaseAll(log);
    releaseLoadSide(plan);
    unregister();
  }
  return {
    pinning: {
      server: plan?.server,
      load: plan?.load,
      note: plan
        ? `taskset: server processes (node:cluster workers included), Redis and PostgreSQL on CPU ${plan.server}; ` +
          `this bench process (fan-out generator threads) and the bot processes on CPU ${plan.load}` +
          ` (bench affinity restored to ${allowedCpus(process.pid) ?? '?'} afterwards)`
        : 'nothing pinned: fewer than 2 CPUs or taskset unavailable',
    },
    ...result,
    failures,
    seconds: (performance.now() - startedAt) / 1000,
  };
}
