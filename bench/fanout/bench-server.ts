/** A server under test, started inside its own child process by `server-process.ts`. */
export interface BenchServer {
  /** WebSocket endpoint without query; clients add `?vsn=2.0.0&user=…`. */
  readonly url: string;
  close(): Promise<void>;
}

export type ServerKind = 'raw' | 'ours';

/** Parent → child IPC messages. */
export type ToServer = { readonly type: 'stats'; readonly id: number } | { readonly type: 'stop' };

/** Child → parent IPC messages. */
export type FromServer =
  | { readonly type: 'ready'; readonly url: string }
  | {
      readonly type: 'stats';
      readonly id: number;
      /** process.cpuUsage() of the server process, µs, cumulative. */
      readonly user: number;
      readonly system: number;
      readonly rss: number;
    }
  | { readonly type: 'failed'; readonly message: string };
