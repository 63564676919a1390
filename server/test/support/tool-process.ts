import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';

/** How long `stop` waits after SIGTERM before SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;
/** Enough of a tool's output to explain a failure. */
const OUTPUT_LIMIT = 1_000_000;

/** Tools still running when the test process exits are killed with it, not left behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * A program a test or spec runs beside the server (coturn, nginx), started with its stdout and
 * stderr piped: its output is kept for error messages, it dies with the test process, and `stop`
 * ends it (SIGTERM, then SIGKILL) and removes its temporary directory `dir`.
 */
export class ToolProcess {
  readonly child: ChildProcess;
  readonly dir: string;
  #output = '';

  constructor(child: ChildProcess, dir: string) {
    this.child = child;
    this.dir = dir;
    const capture = (chunk: Buffer): void => {
      if (this.#output.length < OUTPUT_LIMIT) this.#output += chunk.toString();
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    child.once('exit', () => live.delete(child));
    live.add(child);
  }

  /** What it wrote to stdout and stderr so far. */
  get output(): string {
    return this.#output;
  }

  /** Whether it has exited (on its own, before `stop`, it failed). */
  get exited(): boolean {
    return this.child.exitCode !== null;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
