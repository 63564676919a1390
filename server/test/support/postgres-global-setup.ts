import type { TestProject } from 'vitest/node';
import { findPostgresBin, startPostgresServer } from './postgres-server.ts';

/**
 * Starts a throwaway PostgreSQL cluster (Debian's `postgresql` package) for the storage tests and
 * provides its URL as `databaseUrl`. Where PostgreSQL is not installed, `databaseUrl` is null and
 * the PostgreSQL tests are skipped with that reason, except under CI, where it is an error.
 */
export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const bin = findPostgresBin();
  if (!bin) {
    if (process.env.CI) throw new Error('PostgreSQL is not installed (apt-get install postgresql); CI needs it');
    project.provide('databaseUrl', null);
    return undefined;
  }
  const server = await startPostgresServer(bin);
  project.provide('databaseUrl', server.url);
  return () => server.dispose();
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string | null;
  }
}
