/** What both `WORKERS=2` test files need: their services, the primary's log of its workers, pids. */
import * as postgres from '../../../scripts/services/postgres.ts';
import * as redis from '../../../scripts/services/redis.ts';
import { waitFor } from '../integration/wait-for.ts';
import type { LogEntry } from '../support/server-process.ts';

/** Why this machine cannot run them (redis-server or PostgreSQL missing), or null; under CI that throws. */
export function missingServices(): string | null {
  const missing = !redis.findOnPath('redis-server')
    ? 'redis-server is not installed'
    : !postgres.findPostgresBin()
      ? 'PostgreSQL is not installed'
      : null;
  if (missing && process.env.CI) throw new Error(`${missing}; CI needs it`);
  return missing;
}

/**
 * A throwaway Redis and PostgreSQL. Whichever started goes into `started` (for the caller's
 * `afterAll` to stop) even when the other failed, which then rejects.
 */
export async function startServices(
  started: redis.RunningService[],
): Promise<{ readonly redisUrl: string; readonly databaseUrl: string }> {
  const results = await Promise.allSettled([redis.start(), postgres.start()]);
  started.push(...results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
  const [redisService, postgresService] = started.slice(-2) as [redis.RunningService, redis.RunningService];
  return { redisUrl: redisService.url, databaseUrl: postgresService.url };
}

/** What the primary logged about its workers, from the server's parsed log `entries`. */
export function workerLog(entries: () => readonly LogEntry[], tail: () => string) {
  const primaryLog = (msg: string) => entries().filter((entry) => entry.role === 'primary' && entry.msg === msg);
  return {
    primaryLog,
    /** The pid of the newest worker started with index `worker`. */
    workerPid: (worker: number): number | undefined =>
      primaryLog('worker started').findLast((entry) => entry.worker === worker)?.workerPid as number | undefined,
    /** Whether the worker with that pid has said it listens. */
    listening: (pid: number | undefined): boolean =>
      pid !== undefined && primaryLog('worker listening').some((entry) => entry.workerPid === pid),
    /** `waitFor`, and on timeout the server's last output in the error. */
    async waitFor(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
      try {
        await waitFor(check, { what, timeoutMs });
      } catch (error) {
        throw new Error(`${(error as Error).message}\n--- server output ---\n${tail()}`);
      }
    },
  };
}

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
