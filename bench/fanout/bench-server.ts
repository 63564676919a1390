/**
 * The one channel every fan-out server serves, the raw baseline and ours alike: topics `room:<n>`,
 * where a `chat` push is broadcast to the room and answered ok.
 */
export const FanoutChannel = {
  pattern: 'room:*',
  topic: (room: number) => `room:${room}`,
  event: 'chat',
} as const;

/** A server under test, started inside its own child process by `server-process.ts`. */
export interface BenchServer {
  /** The WebSocket transport's URL without query; clients add `?vsn=2.0.0&user=…`. */
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
