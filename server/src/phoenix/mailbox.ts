/**
 * Runs tasks one at a time in the order they were posted, like a process mailbox: a handler that
 * awaits storage never overlaps the next message for the same channel.
 */
export class Mailbox {
  #tail: Promise<void> = Promise.resolve();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  post(task: () => unknown): Promise<void> {
    const next = this.#tail.then(task).then(
      () => undefined,
      (error: unknown) => this.#onError(error),
    );
    this.#tail = next;
    return next;
  }
}
