import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

const STOP_TIMEOUT_MS = 10_000;

/**
 * Stops a child and resolves once it has exited: by `how` (SIGTERM, or closing its IPC channel for
 * a child that exits when its parent lets go), then SIGKILL if it has not gone within 10 s. An
 * overloaded server may never run its SIGTERM handler (webrtc-notes §5 pitfall 8).
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

/** A port the kernel just handed out on loopback; the caller binds it right after. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
