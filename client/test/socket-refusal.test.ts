import { describe, expect, it, vi } from 'vitest';
import type { SessionCheck } from '../src/net/session-api.ts';
import { SocketRefusalDetector } from '../src/net/socket-refusal.ts';

/** A session check whose answers the test hands out one at a time. */
function controlledCheck() {
  const pending: Array<(answer: SessionCheck) => void> = [];
  return {
    check: () => new Promise<SessionCheck>((resolve) => pending.push(resolve)),
    answer: async (answer: SessionCheck) => {
      pending.shift()?.(answer);
      await Promise.resolve();
      await Promise.resolve();
    },
    get waiting() {
      return pending.length;
    },
  };
}

describe('SocketRefusalDetector', () => {
  it('calls the token refused as soon as the server says 401', async () => {
    const server = controlledCheck();
    const onRefused = vi.fn();
    const detector = new SocketRefusalDetector({ checkSession: server.check, onRefused });

    detector.failedToOpen();
    await server.answer('refused');
    expect(onRefused).toHaveBeenCalledOnce();

    detector.failedToOpen();
    expect(server.waiting).toBe(0);
  });

  it('keeps going while the server is unreachable or accepts the token', async () => {
    const server = controlledCheck();
    const onRefused = vi.fn();
    const detector = new SocketRefusalDetector({ checkSession: server.check, onRefused });

    for (const answer of ['unreachable', 'valid', 'unreachable'] as const) {
      detector.failedToOpen();
      await server.answer(answer);
    }
    expect(onRefused).not.toHaveBeenCalled();
    detector.failedToOpen();
    expect(server.waiting).toBe(1);
  });

  it('ignores a refusal that started before the socket opened', async () => {
    const server = controlledCheck();
    const onRefused = vi.fn();
    const detector = new SocketRefusalDetector({ checkSession: server.check, onRefused });

    detector.failedToOpen();
    detector.opened();
    await server.answer('refused');
    expect(onRefused).not.toHaveBeenCalled();
  });

  it('asks the server once for attempts that fail while a check is running', () => {
    const server = controlledCheck();
    const detector = new SocketRefusalDetector({ checkSession: server.check, onRefused: () => {} });
    detector.failedToOpen();
    detector.failedToOpen();
    detector.failedToOpen();
    expect(server.waiting).toBe(1);
  });

  it('counts a check that throws as a server that is down', async () => {
    const onRefused = vi.fn();
    const detector = new SocketRefusalDetector({
      checkSession: () => Promise.reject(new Error('offline')),
      onRefused,
    });
    detector.failedToOpen();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(onRefused).not.toHaveBeenCalled();
  });

  it('stays quiet once stopped', async () => {
    const server = controlledCheck();
    const onRefused = vi.fn();
    const detector = new SocketRefusalDetector({ checkSession: server.check, onRefused });
    detector.failedToOpen();
    detector.stop();
    await server.answer('refused');
    expect(onRefused).not.toHaveBeenCalled();
  });
});
