import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU pinning with `taskset` (util-linux), so the server side (server processes, Redis,
 * PostgreSQL) and the load side (this bench process, its generator threads and bot processes)
 * do not take each other's cores. A process inherits its affinity from the thread that forks it,
 * so a server is pinned by running the fork while this process's main thread sits on the server
 * CPUs (`onServerCpus`): every process it starts later (node:cluster workers, PostgreSQL
 * backends) inherits that too.
 */
export interface CpuPlan {
  /** CPU lists as taskset takes them, e.g. `0` and `1`. */
  readonly server: string;
  readonly load: string;
  /** The bench process's affinity before the suite, restored by `release`. */
  readonly original: string;
}

const TASKSET_TIMEOUT_MS = 5_000;

/** The CPUs `pid` may run on (`Cpus_allowed_list` of /proc/<pid>/status); undefined when unreadable. */
export function allowedCpus(pid: number): string | undefined {
  try {
    return /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Expands `0-2,5` into [0, 1, 2, 5]. */
function expand(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.split(',')) {
    const [from, to = from] = part.split('-').map(Number);
    if (from === undefined || to === undefined || !Number.isInteger(from) || !Number.isInteger(to)) continue;
    for (let cpu = from; cpu <= to && cpus.length < 4096; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/**
 * Sets the affinity of `pid`: only that thread (for this process, the main thread: what it forks
 * next inherits it), or with `allThreads` every thread it has now. False when taskset failed.
 */
export function setAffinity(pid: number, cpus: string, allThreads: boolean): boolean {
  try {
    execFileSync('taskset', [...(allThreads ? ['-a'] : []), '-p', '-c', cpus, String(pid)], {
      stdio: 'ignore',
      timeout: TASKSET_TIMEOUT_MS,
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Splits the CPUs this process may use into a server half (the lower CPUs) and a load half, and
 * moves this whole process onto the load half. Undefined (nothing pinned) with fewer than 2 CPUs
 * or without a working taskset.
 */
export function pinLoadSide(): CpuPlan | undefined {
  const original = allowedCpus(process.pid);
  if (!original) return undefined;
  const cpus = expand(original);
  if (cpus.length < 2) return undefined;
  const half = Math.floor(cpus.length / 2);
  const plan = { server: cpus.slice(0, half).join(','), load: cpus.slice(half).join(','), original };
  return setAffinity(process.pid, plan.load, true) ? plan : undefined;
}

/** Gives this process its whole original affinity back. */
export function releaseLoadSide(plan: CpuPlan | undefined): void {
  if (plan) setAffinity(process.pid, plan.original, true);
}

/** Runs a suite with this process on the load side (`pinLoadSide`), and gives the CPUs back after. */
export async function withLoadSidePinned<T>(run: (plan: CpuPlan | undefined) => Promise<T>): Promise<T> {
  const plan = pinLoadSide();
  try {
    return await run(plan);
  } finally {
    releaseLoadSide(plan);
  }
}

/**
 * Runs `start` with this process's main thread on the server CPUs, so whatever it forks or spawns
 * lands there; the main thread goes back to the load CPUs afterwards, even when `start` throws.
 * Nothing else may start a process meanwhile (the suite starts things one at a time).
 */
export async function onServerCpus<T>(plan: CpuPlan | undefined, start: () => Promise<T>): Promise<T> {
  if (!plan) return start();
  setAffinity(process.pid, plan.server, false);
  try {
    return await start();
  } finally {
    setAffinity(process.pid, plan.load, false);
  }
}

/**
 * How docs/operations.md advises running a server confined to one core: V8's GC helper threads
 * can only take turns with the main thread there. Without it the WebRTC server's loop stalled for
 * 120–185 ms in some ramps (a profile: mostly GC, with the process off the core between samples),
 * and the library's connect+join p99 against raw `ws` moved between 1.27× and 1.59×.
 */
const ONE_CORE_FLAG = '--single-threaded-gc';

/** Node flags for a server started on the plan's server CPUs: `ONE_CORE_FLAG` when that is one CPU. */
export function serverNodeFlags(plan: CpuPlan | undefined): string[] {
  return plan !== undefined && !plan.server.includes(',') ? [ONE_CORE_FLAG] : [];
}

/** How a suite ran, for its tables: e.g. `server on CPU 0 with --single-threaded-gc, bots on CPU 1`. */
export function describePinning(plan: CpuPlan | undefined, server: string, load: string): string {
  if (!plan) return `not pinned (CPUs ${allowedCpus(process.pid) ?? '?'})`;
  const flags = serverNodeFlags(plan);
  return `${server} on CPU ${plan.server}${flags.length > 0 ? ` with ${flags.join(' ')}` : ''}, ${load} on CPU ${plan.load}`;
}
