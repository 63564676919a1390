import type { BenchServer, FromServer, ServerKind, ToServer } from './bench-server.ts';
import { startOursServer } from './ours-server.ts';
import { startRawPhoenixServer } from './raw-phoenix-server.ts';

/**
 * Child-process entry: starts one server (`raw` or `ours`, from argv) and answers CPU-usage
 * queries over IPC, so the parent can attribute CPU time to the server alone.
 * Usage (from the bench runner only): fork('server-process.ts', ['raw' | 'ours']).
 */
const send = (message: FromServer): void => {
  process.send?.(message);
};

const kind = process.argv[2] as ServerKind;
let server: BenchServer | undefined;

// Orphan guard: a child whose parent died without stopping it exits after a bounded time.
const lifetime = setTimeout(() => process.exit(3), 10 * 60_000);
lifetime.unref();

process.on('message', (raw) => {
  const message = raw as ToServer;
  if (message.type === 'stats') {
    const cpu = process.cpuUsage();
    send({ type: 'stats', id: message.id, user: cpu.user, system: cpu.system, rss: process.memoryUsage().rss });
  } else if (message.type === 'stop') {
    const closing = server?.close() ?? Promise.resolve();
    const force = setTimeout(() => process.exit(0), 3000);
    void closing.finally(() => {
      clearTimeout(force);
      // A normal exit lets --cpu-prof write its profile.
      process.exit(0);
    });
  }
});
process.on('disconnect', () => process.exit(0));

try {
  if (kind === 'raw') server = await startRawPhoenixServer();
  else if (kind === 'ours') server = await startOursServer();
  else throw new Error(`unknown server kind ${String(kind)}`);
  send({ type: 'ready', url: server.url });
} catch (cause) {
  send({ type: 'failed', message: cause instanceof Error ? cause.message : String(cause) });
  process.exit(1);
}
