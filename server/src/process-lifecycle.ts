/**
 * How a server process ends: on a signal, and on an error nobody handled.
 *
 * - **SIGTERM / SIGINT**: drain (sockets close with 1012, storage is flushed and closed) and exit
 *   0; if that takes longer than `SHUTDOWN_TIMEOUT_MS`, exit 1. A second signal exits at once
 *   (128 + the signal's number), except in a worker of `WORKERS=N`, where Ctrl-C reaches both the
 *   worker and its primary: the worker keeps draining and the primary, which forwards the signal,
 *   decides (a second signal to the primary kills the workers).
 * - **An uncaught exception or unhandled rejection**: the process may be half-broken (a timer, a
 *   room or a pool left in a state nobody planned), so it never carries on. It logs the error at
 *   `fatal`, closes every socket with 1012 at once (clients reconnect with backoff, to this process
 *   once restarted or to another node), drains as above within the same deadline, and exits 1 so
 *   that its supervisor (systemd, Kubernetes, the `WORKERS` primary) starts it again. A second
 *   fatal error while draining exits 1 at once.
 */
import { constants } from 'node:os';

/** 10 s: a drain takes well under a second; what is left after this is stuck, not slow. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/** The exit code of a shutdown that missed its deadline or of a fatal error. */
export const EXIT_FAILURE = 1;

interface LifecycleLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  fatal(fields: object, message: string): void;
}

export interface LifecycleOptions {
  readonly logger: LifecycleLogger;
  readonly shutdownTimeoutMs: number;
  /** Closes every socket at once (1012): the first thing done on a fatal error. */
  readonly drain: () => void;
  /** The whole graceful stop (the Fastify instance's `close`). */
  readonly stop: () => Promise<void>;
  /** `exit` for a standalone process; `ignore` in a worker, whose primary escalates. */
  readonly repeatedSignal: 'exit' | 'ignore';
  /** For tests; default `process`. */
  readonly process?: NodeJS.Process;
}

/** Installs the signal and fatal-error handlers described above. */
export function manageProcess(options: LifecycleOptions): void {
  const { logger, shutdownTimeoutMs } = options;
  const proc = options.process ?? process;
  let ending: 'signal' | 'fatal' | undefined;

  const end = (exitCode: number): void => {
    const deadline = setTimeout(() => {
      logger.error({ shutdownTimeoutMs }, `shutdown did not finish within ${shutdownTimeoutMs} ms; exiting`);
      proc.exit(EXIT_FAILURE);
    }, shutdownTimeoutMs);
    options.stop().then(
      () => {
        clearTimeout(deadline);
        proc.exit(exitCode);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        logger.error({ err: error }, 'shutdown failed');
        proc.exit(EXIT_FAILURE);
      },
    );
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (ending === undefined) {
      ending = 'signal';
      logger.info({ signal, shutdownTimeoutMs }, 'shutting down');
      end(0);
      return;
    }
    if (options.repeatedSignal === 'ignore') {
      logger.info({ signal }, 'already shutting down; the primary decides on a second signal');
      return;
    }
    logger.warn({ signal }, 'second signal: exiting now without finishing the shutdown');
    proc.exit(128 + (constants.signals[signal] ?? 0));
  };

  const onFatal = (error: unknown, origin: string): void => {
    if (ending === 'fatal') {
      logger.fatal({ err: error, origin }, 'another uncaught error while draining; exiting now');
      proc.exit(EXIT_FAILURE);
      return;
    }
    const during = ending;
    ending = 'fatal';
    logger.fatal(
      { err: error, origin },
      'uncaught error: the process may be half-broken; draining and exiting with code 1 for a restart',
    );
    if (during === 'signal') {
      // A graceful shutdown already closed the sockets: exit now rather than trust the rest of it.
      proc.exit(EXIT_FAILURE);
      return;
    }
    try {
      options.drain();
    } catch (drainError) {
      logger.error({ err: drainError }, 'closing the sockets failed');
    }
    end(EXIT_FAILURE);
  };

  proc.on('SIGTERM', onSignal);
  proc.on('SIGINT', onSignal);
  proc.on('uncaughtException', (error, origin) => onFatal(error, origin));
  proc.on('unhandledRejection', (reason) => onFatal(reason, 'unhandledRejection'));
}
