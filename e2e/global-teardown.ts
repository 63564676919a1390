import { rm } from 'node:fs/promises';
import { E2E_ENV } from './support/env.ts';
import { stopPid } from './support/server-process.ts';

/** Stops the server global-setup started and removes its DATA_DIR. */
export default async function globalTeardown(): Promise<void> {
  const pid = Number(process.env[E2E_ENV.serverPid]);
  if (Number.isInteger(pid) && pid > 0) await stopPid(pid);
  const dataDir = process.env[E2E_ENV.dataDir];
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
