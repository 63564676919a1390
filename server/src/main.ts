import cluster from 'node:cluster';
import { buildApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { manageProcess } from './process-lifecycle.ts';
import { bindUdpExclusively, runPrimary } from './workers.ts';

/**
 * Starts the server; SIGTERM / SIGINT drain the sockets (close 1012) and stop cleanly within
 * SHUTDOWN_TIMEOUT_MS, and an uncaught error drains and exits 1 (process-lifecycle.ts). With
 * WORKERS > 1 this process is the primary instead, and each worker it forks runs this again.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  if (config.workers > 1 && cluster.isPrimary) {
    runPrimary(config);
    return;
  }
  if (cluster.isWorker) bindUdpExclusively();
  const { http, socket, admin } = await buildApp(config);
  // Signals and uncaught errors: see process-lifecycle.ts (deadline, second signal, exit 1 on a fatal error).
  manageProcess({
    logger: http.log,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    drain: () => socket.drain(),
    stop: () => http.close(),
    repeatedSignal: cluster.isWorker ? 'ignore' : 'exit',
  });
  await http.listen({ port: config.port, host: config.host });
  // A worker's admin listener is its own (ADMIN_PORT + its index), not shared through the primary.
  if (admin && config.adminPort !== undefined) {
    await admin.listen({ port: config.adminPort, host: config.adminHost, exclusive: cluster.isWorker });
  }
}

await main();
