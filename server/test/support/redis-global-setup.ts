import type { TestProject } from 'vitest/node';
import { RedisServer, redisServerInstalled } from './redis-server.ts';

/**
 * Starts a throwaway `redis-server` (Debian's `redis-server` package) for the cluster tests and
 * provides its URL as `redisUrl`. Where redis-server is not installed, `redisUrl` is null and the
 * Redis tests are skipped with that reason, except under CI, where it is an error.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!redisServerInstalled()) {
    if (process.env.CI) throw new Error('redis-server is not installed (apt-get install redis-server); CI needs it');
    project.provide('redisUrl', null);
    return undefined;
  }
  const server = await RedisServer.start();
  project.provide('redisUrl', server.url);
  return () => server.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string | null;
  }
}
