import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import type { MemoryReport, MemoryRequest } from './probe-protocol.ts';

/**
 * Preloaded (`--expose-gc --import`) into the real server by the connections suite, so the server
 * code carries no bench hook: answers memory requests over the fork IPC channel after a full GC,
 * and ends the server if the suite goes away without stopping it.
 */
type GcOptions = { readonly type: 'major'; readonly execution: 'sync'; readonly flavor: 'last-resort' };
const collect = (globalThis as { gc?: (options: GcOptions) => void }).gc;
if (!collect) throw new Error('memory-probe.ts needs --expose-gc');
if (!process.send) throw new Error('memory-probe.ts needs an IPC channel (start the server with fork)');

/** Event-loop delay since the previous request: tells a server stall from a client-side one. */
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

process.on('message', (raw) => {
  const request = raw as MemoryRequest;
  if (request.type !== 'bench:memory') return;
  // The memory-reducing GC a heap snapshot does: it also gives back the young generation that V8
  // grows while connections pour in (up to ~100 MB, the same with 2 000 sockets or 20 000), so what
  // remains is what the connections hold.
  collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  // Not process.memoryUsage(): its RSS opens /proc/self/stat, which fails with EMFILE (and would
  // throw here) exactly when the server holds all the sockets it can. The suite reads RSS from /proc.
  const loopDelayP99Ms = loopDelay.percentile(99) / 1e6;
  const loopDelayMaxMs = loopDelay.max / 1e6;
  loopDelay.reset();
  const heap = getHeapStatistics();
  const report: MemoryReport = {
    type: 'bench:memory',
    id: request.id,
    heapUsed: heap.used_heap_size,
    heapTotal: heap.total_heap_size,
    external: heap.external_memory,
    loopDelayP99Ms,
    loopDelayMaxMs,
    spaces: Object.fromEntries(
      getHeapSpaceStatistics().map((space) => [
        space.space_name,
        { used: space.space_used_size, committed: space.physical_space_size },
      ]),
    ),
  };
  process.send?.(report);
});

// Orphan guard: the parent died without stopping the server.
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
