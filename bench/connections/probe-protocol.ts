/** IPC between the suite and `memory-probe.ts`, preloaded into the real server's process. */

/** Suite → server: collect garbage, then report the heap. */
export interface MemoryRequest {
  readonly type: 'bench:memory';
  readonly id: number;
}

/** Server → suite: V8's heap figures right after a full GC, bytes. */
export interface MemoryReport {
  readonly type: 'bench:memory';
  readonly id: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  /** Off-heap memory V8 knows of (Buffers, ArrayBuffers). */
  readonly external: number;
  /** The server's event-loop delay since the previous request (before this GC), ms. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** Per V8 space (`old_space`, `new_space`, …): bytes in use and bytes of memory it holds. */
  readonly spaces: Readonly<Record<string, { readonly used: number; readonly committed: number }>>;
}
