import type { ChildProcess } from 'node:child_process';

const STOP_TIMEOUT_MS = 10_000;

/**
 * Stops a child and resolves once it has exited: by `how` (SIGTERM, or closing its IPC channel for
 * a child that exits when its parent lets go), then SIGKILL if it has not gone within 10 s. An
 * overloaded server may never run its SIGTERM handler (docs/webrtc.md §8).
 */
export function stopChild(child: ChildProcess, how: 'SIGTERM' | 'disconnect' = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (how === 'disconnect' && child.connected) child.disconnect();
    else child.kill('SIGTERM');
  });
}

/** What every bench child sends when it cannot go on. */
interface FailedMessage {
  readonly type: 'failed';
  readonly message: string;
}

/**
 * The child's next IPC message that `matches`. Rejects when the child reports `failed`, exits, or
 * sends nothing that matches within `timeoutMs`; `what` names the child in those errors.
 */
export function nextMessage<Message extends { readonly type: string }, Wanted extends Message>(
  child: ChildProcess,
  matches: (message: Message) => message is Wanted,
  timeoutMs: number,
  what: string,
): Promise<Wanted> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (raw: unknown): void => {
      const message = raw as Message | FailedMessage;
      if (message.type === 'failed') {
        cleanup();
        reject(new Error(`${what} failed: ${(message as FailedMessage).message}`));
      } else if (matches(message as Message)) {
        cleanup();
        resolve(message as Wanted);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${what} exited with code ${code}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
