/**
 * What the cluster suite has started (servers, bot processes, Redis, PostgreSQL, sockets), undone
 * in reverse order: by each part when it ends, by the suite when it ends or fails, and on SIGINT /
 * SIGTERM before the bench exits, so nothing outlives the run.
 */
export class Resources {
  readonly #stack: { readonly what: string; readonly release: () => Promise<void> | void }[] = [];
  #closed = false;

  /** Set once a signal asked everything to stop: the suite starts nothing more. */
  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
  }

  /**
   * Registers `release`; the returned function runs it now (once) and forgets it. After `close`,
   * whatever is still being started is released at once.
   */
  add(what: string, release: () => Promise<void> | void): () => Promise<void> {
    if (this.#closed) {
      void Promise.resolve()
        .then(release)
        .catch(() => undefined);
      return async () => undefined;
    }
    const entry = { what, release };
    this.#stack.push(entry);
    return async () => {
      const at = this.#stack.indexOf(entry);
      if (at < 0) return;
      this.#stack.splice(at, 1);
      await release();
    };
  }

  /**
   * Releases everything still registered, newest first; a failing release does not stop the others.
   * `suite` prefixes the log lines.
   */
  async releaseAll(log: (line: string) => void, suite = 'cluster'): Promise<void> {
    for (let entry = this.#stack.pop(); entry; entry = this.#stack.pop()) {
      try {
        await entry.release();
      } catch (cause) {
        log(`${suite}: releasing ${entry.what} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
      }
    }
  }
}

/** Registers a release of everything on SIGINT / SIGTERM (then exits 130 / 143); returns the unregister. */
export function releaseOnSignal(resources: Resources, log: (line: string) => void, suite = 'cluster'): () => void {
  let releasing = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (releasing) return;
    releasing = true;
    resources.close();
    // The suite's pending steps fail as their processes go; the process exits once all is released.
    process.on('unhandledRejection', () => undefined);
    log(`${suite}: ${signal}: stopping every process the suite started…`);
    void resources.releaseAll(log, suite).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
