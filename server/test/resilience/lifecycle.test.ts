/**
 * How a real server process ends (process-lifecycle.ts): SIGTERM drains and exits 0; a drain held
 * up past SHUTDOWN_TIMEOUT_MS exits 1; a second signal exits at once; an uncaught exception or an
 * unhandled rejection is logged with its error, every socket is closed with 1012 and the process
 * exits 1 for its supervisor to restart it. In each case the well-behaved players get their 1012
 * at once, whatever another client does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topic } from '@starcatch/shared';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ClientSockets, join as joinChannel, type SocketEvents, watchSocket } from '../integration/phoenix-client.ts';
import { waitFor } from '../integration/wait-for.ts';
import { ensureGone, exitWithin, type ServerProcess, startServerProcess } from '../support/server-process.ts';

const sockets = new ClientSockets();
const stuck: WebSocket[] = [];
let server: ServerProcess | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  for (const socket of stuck.splice(0)) socket.terminate();
  await sockets.disconnectAll();
  await ensureGone(server);
  server = undefined;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}, injectFault = false): Promise<ServerProcess> {
  dataDir = await mkdtemp(join(tmpdir(), 'starcatch-lifecycle-'));
  server = await startServerProcess({ dataDir, env, injectFault });
  return server;
}

/** A player in the lobby over the official client; its socket's closes are recorded. */
async function player(target: ServerProcess): Promise<SocketEvents> {
  const { token } = await target.signIn();
  // A slow reconnect: the server is going away and the test only watches the first close.
  const socket = await sockets.open(target.socketUrl, { params: { token }, reconnectAfterMs: () => 60_000 });
  const events = watchSocket(socket);
  await joinChannel(socket.channel(Topic.lobby));
  return events;
}

/** A client that connects and then never reads again: it will not answer the server's close frame. */
async function stuckClient(target: ServerProcess): Promise<void> {
  const { token } = await target.signIn();
  const ws = new WebSocket(`${target.socketUrl}/websocket?vsn=2.0.0&token=${token}`);
  stuck.push(ws);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.pause();
}

const logged = (target: ServerProcess, text: string) =>
  target.entries.find((entry) => typeof entry.msg === 'string' && entry.msg.includes(text));

describe('signals', () => {
  it('SIGTERM closes every socket with 1012 and exits 0', async () => {
    const target = await start();
    const players = [await player(target), await player(target)];
    const sentAt = performance.now();
    target.signal('SIGTERM');
    const exit = await exitWithin(target, 5_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    for (const events of players) expect(events.closeCodes[0]).toBe(1012);
    expect(logged(target, 'shutting down')).toMatchObject({ signal: 'SIGTERM' });
    console.info(`SIGTERM → exit 0 in ${(exit.at - sentAt).toFixed(0)} ms`);
  });

  it('a shutdown held up past SHUTDOWN_TIMEOUT_MS exits 1; the other players got their 1012 at once', async () => {
    const target = await start({ SHUTDOWN_TIMEOUT_MS: '800' });
    const players = [await player(target), await player(target)];
    await stuckClient(target);
    const sentAt = performance.now();
    let closedAt = 0;
    target.signal('SIGTERM');
    await waitFor(() => players.every((events) => events.closeCodes.length > 0), { what: 'the players to get 1012' });
    closedAt = performance.now() - sentAt;
    const exit = await exitWithin(target, 5_000);
    const exitMs = exit.at - sentAt;
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(exitMs).toBeGreaterThanOrEqual(700);
    expect(exitMs).toBeLessThan(2_500);
    for (const events of players) expect(events.closeCodes).toEqual([1012]);
    expect(closedAt).toBeLessThan(500);
    expect(logged(target, 'shutdown did not finish within 800 ms')).toBeDefined();
    console.info(
      `deadline 800 ms: players closed with 1012 after ${closedAt.toFixed(0)} ms, exit 1 after ${exitMs.toFixed(0)} ms`,
    );
  });

  it('a second SIGTERM exits at once, without waiting for the drain', async () => {
    const target = await start({ SHUTDOWN_TIMEOUT_MS: '30000' });
    const events = await player(target);
    await stuckClient(target);
    target.signal('SIGTERM');
    await waitFor(() => logged(target, 'shutting down') !== undefined && events.closeCodes.length > 0, {
      what: 'the shutdown to begin',
    });
    const secondAt = performance.now();
    target.signal('SIGTERM');
    const exit = await exitWithin(target, 3_000);
    const exitMs = exit.at - secondAt;
    // 128 + SIGTERM (15), as a shell reports a process ended by the signal.
    expect(exit).toMatchObject({ code: 143, signal: null });
    expect(exitMs).toBeLessThan(500);
    expect(logged(target, 'second signal')).toBeDefined();
    console.info(`second SIGTERM → exit 143 in ${exitMs.toFixed(0)} ms`);
  });
});

describe('an error nobody handled', () => {
  it.each([
    ['exception', 'uncaughtException', 'injected uncaught exception'],
    ['rejection', 'unhandledRejection', 'injected unhandled rejection'],
  ])(
    'an uncaught %s is logged with its error, every socket gets 1012, and the process exits 1',
    async (kind, origin, message) => {
      const target = await start({ INJECT_FAULT: kind }, true);
      const players = [await player(target), await player(target)];
      const sentAt = performance.now();
      target.signal('SIGUSR2');
      const exit = await exitWithin(target, 5_000);
      expect(exit).toMatchObject({ code: 1, signal: null });
      for (const events of players) expect(events.closeCodes[0]).toBe(1012);
      const fatal = target.entries.find((entry) => entry.level === 60);
      expect(fatal).toMatchObject({ origin, err: { message } });
      expect(fatal?.msg).toContain('exiting with code 1');
      console.info(`uncaught ${kind} → 1012 to every player, exit 1 in ${(exit.at - sentAt).toFixed(0)} ms`);
    },
  );
});
