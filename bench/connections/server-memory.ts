import type { ChildProcess } from 'node:child_process';
import { readProcStats } from '../support/proc-stats.ts';
import type { RealServer } from '../support/real-server.ts';
import type { MemoryReport, MemoryRequest } from './probe-protocol.ts';

/** The server's memory right after a full GC, bytes. */
export interface ServerMemory {
  /** From /proc/<pid>/status, read once the GC is done. */
  readonly rss: number;
  /** The same, read just before the GC: what the process holds as it runs. */
  readonly rssBeforeGc: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly spaces: MemoryReport['spaces'];
  /** Event-loop delay of the server since the previous reading, ms. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

/** Node flags that load `memory-probe.ts` into the server, so `serverMemory` can ask it. */
export const MEMORY_PROBE_EXEC_ARGV: readonly string[] = [
  '--expose-gc',
  '--import',
  new URL('./memory-probe.ts', import.meta.url).href,
];

const MEMORY_TIMEOUT_MS = 10_000;
let nextId = 0;

/**
 * Heap and RSS right after a full GC in a server started with `MEMORY_PROBE_EXEC_ARGV`. RSS comes
 * from /proc: `process.memoryUsage()` fails with EMFILE in a server that has no descriptor left.
 */
export async function serverMemory(server: RealServer): Promise<ServerMemory> {
  const rssNow = (): number => readProcStats(server.pid)?.rssBytes ?? Number.NaN;
  const rssBeforeGc = rssNow();
  const { type: _type, id: _id, ...report } = await askMemory(server.child, nextId++);
  return { rss: rssNow(), rssBeforeGc, ...report };
}

function askMemory(child: ChildProcess, id: number): Promise<MemoryReport> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error('server did not answer a memory request'));
    }, MEMORY_TIMEOUT_MS);
    const onMessage = (raw: unknown): void => {
      const message = raw as MemoryReport;
      if (message.type !== 'bench:memory' || message.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.send({ type: 'bench:memory', id } satisfies MemoryRequest);
  });
}
