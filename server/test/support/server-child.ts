/** What every harness that runs the real server as a child (`node server/src/main.ts`) shares. */
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const SERVER_ENTRY = resolve(REPO_ROOT, 'server', 'src', 'main.ts');

/**
 * Every test client and e2e tab connects from 127.0.0.1, so per-address budgets meant for one
 * person would be shared by a whole test file or run: a server started by a harness lifts them
 * (per-user limits still apply).
 */
export const LOOPBACK_ADDRESS_LIMITS: Readonly<Record<string, string>> = {
  SIGN_INS_PER_ADDRESS_PER_MINUTE: '10000',
  SOCKET_CONNECTS_PER_ADDRESS_PER_MINUTE: '10000',
  MAX_SOCKETS_PER_ADDRESS: '10000',
  ROOM_CREATES_PER_ADDRESS_PER_MINUTE: '10000',
};

/** What the server logs once it listens on 127.0.0.1: its URL, then its port. */
export const LISTENING = /Server listening at (http:\/\/127\.0\.0\.1:(\d+))/;

export interface UntilListeningOptions {
  /** Names the child in an error, e.g. `cluster node a`. */
  readonly what: string;
  readonly timeoutMs: number;
  /** Every line of the child's stdout is added here (the error quotes them). */
  readonly output: string[];
  /** Called with each line as well. */
  readonly onLine?: (line: string) => void;
}

/**
 * The URL a server child logs when it listens. If it exits first or says nothing in `timeoutMs`,
 * it is killed (SIGKILL) and the promise rejects with its output.
 */
export function untilListening(child: ChildProcess, options: UntilListeningOptions): Promise<string> {
  const { what, output } = options;
  return new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => fail('did not say it listens in time'), options.timeoutMs);
    const onExit = (code: number | null, signal: string | null): void => fail(`exited early (${code ?? signal})`);
    child.once('exit', onExit);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output.push(line);
      options.onLine?.(line);
      const match = LISTENING.exec(line);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolveUrl(match[1]);
    });
    function fail(reason: string): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${what} ${reason}. Its output:\n${output.join('\n')}`));
    }
  });
}
