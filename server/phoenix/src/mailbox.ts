/**
 * Runs tasks one at a time in the order they were posted, like a process mailbox: a handler that
 * awaits storage never overlaps the next message for the same channel. It counts the tasks posted
 * and not yet finished (`depth`), so a caller can refuse work instead of queueing it without bound.
 */
export class Mailbox {
  /** The last task's settlement while tasks are queued or running; none when idle (most of the time). */
  #tail: Promise<void> | undefined;
  #depth = 0;
  /** True while `tryRun` runs a task synchronously. */
  #running = false;
  /** Made when a task posted while `tryRun` runs one must wait for it; opened once it finishes. */
  #gate: { readonly promise: Promise<void>; readonly open: () => void } | undefined;
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Tasks waiting or running. */
  get depth(): number {
    return this.#depth;
  }

  /** Queues a task whatever the depth: for lifecycle work the mailbox itself must not refuse. */
  post(task: () => unknown): Promise<void> {
    if (this.#running && !this.#gate) {
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#gate = { promise, open: resolve };
      this.#tail = promise;
    }
    this.#depth++;
    const next: Promise<void> = (this.#tail ?? Promise.resolve()).then(task).then(
      () => this.#settled(next),
      (error: unknown) => {
        this.#settled(next);
        return this.#onError(error);
      },
    );
    this.#tail = next;
    return next;
  }

  /** Queues a task unless `limit` tasks are already waiting or running; returns whether it did. */
  tryPost(task: () => unknown, limit: number): boolean {
    if (this.#depth >= limit) return false;
    void this.post(task);
    return true;
  }

  /**
   * `tryPost`, except that with nothing waiting or running the task starts at once: one that
   * finishes synchronously leaves the mailbox empty, so a burst of quick messages is never counted
   * as a queue; one that returns a promise holds the mailbox until it settles. Either way tasks run
   * in the order they were given (one posted from inside the task waits for it), and an error,
   * thrown or rejected, goes to `onError`.
   */
  tryRun(task: () => unknown, limit: number): boolean {
    if (this.#depth > 0 || this.#running) return this.tryPost(task, limit);
    this.#depth++;
    this.#running = true;
    let result: unknown;
    try {
      result = task();
    } catch (error) {
      result = Promise.reject(error);
    } finally {
      this.#running = false;
    }
    const gate = this.#gate;
    this.#gate = undefined;
    if (!(result instanceof Promise)) {
      this.#depth--;
      gate?.open();
      return true;
    }
    const settled: Promise<void> = result.then(
      () => this.#settled(settled),
      (error: unknown) => {
        this.#settled(settled);
        return this.#onError(error);
      },
    );
    // Tasks posted meanwhile wait behind the gate; otherwise this task is the tail.
    if (gate) void settled.then(gate.open);
    else this.#tail = settled;
    return true;
  }

  /** One task done; the last one lets go of the chain, so an idle mailbox holds no promise. */
  #settled(task: Promise<void>): void {
    this.#depth--;
    if (this.#tail === task) this.#tail = undefined;
  }
}
