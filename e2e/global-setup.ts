import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E_ENV, E2E_SERVER_ENV } from './support/env.ts';
import { CLIENT_DIST, startServer } from './support/server-process.ts';

/**
 * Starts one real server for the whole run, on a free port with a throwaway DATA_DIR, serving the
 * production build. Tests find it through `E2E_ENV.baseUrl`; global-teardown stops it.
 */
export default async function globalSetup(): Promise<void> {
  if (!existsSync(join(CLIENT_DIST, 'index.html'))) {
    throw new Error(`No built client in ${CLIENT_DIST}. Run \`pnpm build\` first (\`pnpm test\` does).`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'starcatch-e2e-'));
  const server = await startServer({ dataDir, env: E2E_SERVER_ENV });
  // Workers start after global setup and inherit these.
  process.env[E2E_ENV.baseUrl] = server.baseUrl;
  process.env[E2E_ENV.serverPid] = String(server.pid);
  process.env[E2E_ENV.dataDir] = dataDir;
}
