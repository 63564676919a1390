import { describe, expect, it, vi } from 'vitest';
import { SocketRefusalDetector } from '../src/net/socket-refusal.ts';

/** A probe whose answers the test hands out one at a time. */
function controlledProbe() {
  const pending: Array<(up: boolean) => void> = [];
  return {
    probe: () => new Promise<boolean>((resolve) => pending.push(resolve)),
    answer: async (up: boolean) => {
      pending.shift()?.(up);
      await Promise.resolve();
      await Promise.resolve();
    },
    get waiting() {
      return pending.length;
    },
  };
}

describe('SocketRefusalDetector', () => {
  it('calls the token refused after `strikes` failed attempts in a row while the server is up', async () => {
    const server = controlledProbe();
    const onRefused = vi.fn();
    const detector = new SocketRefusalDetector({ probeServer: server.probe, strikes: 2, onRefused });

    detector.failedToOpen();
    await server.answer(true);
    expect(onRefused).not.toHaveBeenCalled();
    detector.failedToOpen();
    await server.answer(true);
    expect(onRefused).toHaveBeenCalledOnce();

    detector.failedToOpen();
    expect(server.waiting).toBe(0);
  });

  it('does not count attempts while the server is down, and a down answer breaks the streak', async () => {
    const server = controlledProbe();
    const onRefused = vi.fn();
    const detector = new SocketRefusalDetector({ probeServer: server.probe, strikes: 2, onRefused });

    detector.failedToOpen();
    await server.answer(true);
    detector.failedToOpen();
    await server.answer(false);
    detector.failedToOpen();
    await server.answer(true);
    expect(onRefused).not.toHaveBeenCalled();
  });

  it('starts over after the socket opens, even with a probe still on its way', async () => {
    const server = controlledProbe();
    const onRefused = vi.fn();
    const detector = new SocketRefusalDetector({ probeServer: server.probe, strikes: 2, onRefused });

    detector.failedToOpen();
    await server.answer(true);
    detector.failedToOpen();
    detector.opened();
    await server.answer(true);
    detector.failedToOpen();
    await server.answer(true);
    expect(onRefused).not.toHaveBeenCalled();
  });

  it('asks the server once for attempts that fail while a probe is running', async () => {
    const server = controlledProbe();
    const detector = new SocketRefusalDetector({ probeServer: server.probe, strikes: 3, onRefused: () => {} });
    detector.failedToOpen();
    detector.failedToOpen();
    detector.failedToOpen();
    expect(server.waiting).toBe(1);
  });

  it('counts a probe that throws as a server that is down', async () => {
    const onRefused = vi.fn();
    const detector = new SocketRefusalDetector({
      probeServer: () => Promise.reject(new Error('offline')),
      strikes: 1,
      onRefused,
    });
    detector.failedToOpen();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(onRefused).not.toHaveBeenCalled();
  });

  it('stays quiet once stopped', async () => {
    const server = controlledProbe();
    const onRefused = vi.fn();
    const detector = new SocketRefusalDetector({ probeServer: server.probe, strikes: 1, onRefused });
    detector.failedToOpen();
    detector.stop();
    await server.answer(true);
    expect(onRefused).not.toHaveBeenCalled();
  });
});
