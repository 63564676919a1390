import cluster from 'node:cluster';
import { buildApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { bindUdpExclusively, runPrimary } from './workers.ts';

/**
 * Starts the server; SIGTERM / SIGINT drain the sockets (close 1012) and stop cleanly. With
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
  const { http } = await buildApp(config);
  await http.listen({ port: config.port, host: config.host });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    http.log.info({ signal }, 'shutting down');
    http.close().then(
      () => process.exit(0),
      (error: unknown) => {
        http.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

await main();
