/** Shared between the load-generator coordinator and its worker threads. */

export interface LoadClient {
  /** Room number; the topic is `room:<room>`. */
  readonly room: number;
  readonly user: string;
}

export interface LoadWorkerConfig {
  readonly url: string;
  readonly clients: readonly LoadClient[];
  /** Pushes per second per client. */
  readonly ratePerClient: number;
  /** Length of the chat text in each push. */
  readonly bodyBytes: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** How long after the last send deliveries are still counted. */
  readonly drainMs: number;
  /** Budget for connecting and joining every client of this worker. */
  readonly setupTimeoutMs: number;
}

/** Coordinator → worker. */
export type ToWorker = { readonly type: 'start'; readonly startAt: number };

export interface WorkerReport {
  /** Chat pushes sent with a timestamp inside the measured window. */
  readonly sent: number;
  /** Chat broadcasts received whose send timestamp is inside the measured window. */
  readonly delivered: number;
  /** Latency (ms) of each of those deliveries. */
  readonly latencies: Float64Array;
  /** Error replies and sockets that closed before the end: should both be 0. */
  readonly errorReplies: number;
  readonly closedEarly: number;
}

/** Worker → coordinator. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | ({ readonly type: 'done' } & WorkerReport);
